/** Builds dist/ once before the suites, so end-to-end tests run the code as it is now (the web console too). */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build-console.mjs'], { stdio: 'inherit' });
}
