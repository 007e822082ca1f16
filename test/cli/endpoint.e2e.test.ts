/** `mooncdn endpoint ...` against a real server: what a person reads and what --json gives scripts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeGet } from '../support/edge-client.js';
import { CliWorld, expectUsageError, parseJson, UUID } from './cli-world.js';

let world: CliWorld;
beforeAll(async () => {
  world = await CliWorld.start();
  world.origin.otherwise({ status: 200, body: 'from the origin' });
});
afterAll(async () => {
  await world?.stop();
});

async function apiEndpoint(id: string): Promise<any> {
  const response = await world.api.sub('GET', `/endpoints/${id}`);
  expect(response.status).toBe(200);
  return response.body;
}

describe('endpoint create', () => {
  it('without --wait prints the new endpoint and how to follow its operation', async () => {
    const result = await world.cli(['endpoint', 'create', '--domain', 'plain.example.com', '--origin', world.origin.address]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const id = new RegExp(`^Endpoint (${UUID.source})$`, 'm').exec(result.stdout)![1]!;
    expect(result.stdout).toContain('  Domain         plain.example.com\n');
    expect(result.stdout).toContain(`  Origin         ${world.origin.address}\n`);
    expect(result.stdout).toContain('  Service type   Web\n');
    expect(result.stdout).toContain('  Status         Creating\n');
    const operationId = new RegExp(`follow it with: mooncdn operation show ${id} (${UUID.source})`).exec(result.stdout)![1]!;
    expect((await world.api.waitForOperation(id, operationId)).Type).toBe('CreateEndpoint');
  });

  it('--json prints the API\'s Endpoint (LifetimeStatus Creating) and nothing else', async () => {
    const result = await world.cli(['endpoint', 'create', '--domain', 'json.example.com', '--origin', `${world.origin.address},backup.example.com:8080`, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const created = parseJson(result);
    expect(created).toMatchObject({
      EndpointID: expect.stringMatching(UUID),
      Setting: { CustomDomain: 'json.example.com', Origin: { Addresses: [world.origin.address, 'backup.example.com:8080'] }, ServiceType: 'Web' },
      Status: { LifetimeStatus: 'Creating', Enabled: false },
    });
    expect((await apiEndpoint(created.EndpointID)).Setting).toEqual(created.Setting);
  });

  it('--wait exits 0 on Succeeded and prints the final operation; every flag reaches the endpoint', async () => {
    const result = await world.cli([
      'endpoint', 'create', '--domain', 'full.example.com', '--origin', world.origin.address,
      '--host', 'origin-host.example.com', '--icp', 'ICP-0001', '--service-type', 'Download', '--wait',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const [, operationId, endpointId] = new RegExp(`^Operation (${UUID.source}) \\(CreateEndpoint\\) Succeeded\\n  Endpoint   (${UUID.source})\\n  Start      \\S+Z\\n  End        \\S+Z\\n$`).exec(result.stdout)!;
    expect((await world.api.sub('GET', `/endpoints/${endpointId}/operations/${operationId}`)).body.Status).toBe('Succeeded');
    expect(await apiEndpoint(endpointId!)).toMatchObject({
      Setting: { CustomDomain: 'full.example.com', Host: 'origin-host.example.com', ICP: 'ICP-0001', ServiceType: 'Download' },
      Status: { LifetimeStatus: 'Normal' },
    });
  });

  it('--wait --json prints the final Operation as one document', async () => {
    const result = await world.cli(['endpoint', 'create', '--domain', 'waitjson.example.com', '--origin', world.origin.address, '--wait', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const operation = parseJson(result);
    expect(operation).toMatchObject({ Id: expect.stringMatching(UUID), Type: 'CreateEndpoint', Status: 'Succeeded', Message: null, SubscriptionId: world.server.credentials.subscriptionId });
    expect((await apiEndpoint(operation.EndpointId)).Setting.CustomDomain).toBe('waitjson.example.com');
  });

  it('a bad --service-type or an empty --origin is a usage error; the API\'s refusal exits 1 with its Type', async () => {
    expectUsageError(await world.cli(['endpoint', 'create', '--domain', 'x.example.com', '--origin', 'o.example.com', '--service-type', 'Bogus']), 'Allowed choices are Web, Download', 'endpoint create');
    expectUsageError(await world.cli(['endpoint', 'create', '--domain', 'x.example.com', '--origin', ' , ']), 'give at least one address', 'endpoint create');
    expectUsageError(await world.cli(['endpoint', 'create', '--origin', 'o.example.com']), "required option '--domain <domain>' not specified", 'endpoint create');
    const refused = await world.cli(['endpoint', 'create', '--domain', 'not a domain', '--origin', 'o.example.com']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^ParameterInvalid: CustomDomain "not a domain" is not a valid domain name/);
  });
});

describe('endpoint list and show', () => {
  it('list is a table a person can read, and --json is the API\'s list', async () => {
    const id = await world.endpoint('listed.example.com');
    const human = await world.cli(['endpoint', 'list']);
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID +DOMAIN +STATUS +ENABLED +ORIGIN$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${id} +listed\\.example\\.com +Normal +enabled +${world.origin.address.replaceAll('.', '\\.')}$`)));

    const json = parseJson(await world.cli(['endpoint', 'list', '--json']));
    expect(json).toEqual((await world.api.sub('GET', '/endpoints')).body);
    expect(json.map((e: any) => e.Setting.CustomDomain)).toContain('listed.example.com');
  });

  it('show prints the settings and status; --json is the API\'s Endpoint', async () => {
    const id = await world.endpoint('shown.example.com');
    const human = await world.cli(['endpoint', 'show', id]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^Endpoint ${id}\\n  Domain         shown\\.example\\.com\\n  Origin         \\S+\\n  Host header    \\S+\\n  Service type   Web\\n  Status         Normal, enabled\\n  Last updated   \\S+Z\\n$`));
    expect(parseJson(await world.cli(['endpoint', 'show', id, '--json']))).toEqual(await apiEndpoint(id));
  });

  it('an unknown endpoint exits 1 with EndpointNotFound on stderr', async () => {
    const result = await world.cli(['endpoint', 'show', '6f0e3c0a-1111-4aaa-8bbb-000000000000', '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^EndpointNotFound: .*6f0e3c0a-1111-4aaa-8bbb-000000000000/);
  });
});

describe('endpoint update', () => {
  it('--origin and --host each change one setting', async () => {
    const id = await world.endpoint('update.example.com');
    const origin = await world.cli(['endpoint', 'update', id, '--origin', 'a.origin.example.com,b.origin.example.com:8081', '--wait']);
    expect(origin.code, origin.stderr).toBe(0);
    expect(origin.stdout).toMatch(/^Operation \S+ \(UpdateEndpoint\) Succeeded\n/);
    expect((await apiEndpoint(id)).Setting.Origin.Addresses).toEqual(['a.origin.example.com', 'b.origin.example.com:8081']);

    const host = await world.cli(['endpoint', 'update', id, '--host', 'www.origin.example.com']);
    expect(host.code, host.stderr).toBe(0);
    const operationId = new RegExp(`^Accepted: operation (${UUID.source}) \\(Processing\\)\\. Follow it with: mooncdn operation show ${id} \\1\\n$`).exec(host.stdout)![1]!;
    expect((await world.api.waitForOperation(id, operationId)).Status).toBe('Succeeded');
    const after = await apiEndpoint(id);
    expect(after.Setting.Host).toBe('www.origin.example.com');
    expect(after.Setting.Origin.Addresses).toEqual(['a.origin.example.com', 'b.origin.example.com:8081']);
  });

  it('both or neither of --origin and --host is a usage error: exit 2 with the help, nothing sent', async () => {
    const id = await world.endpoint('oneofthem.example.com');
    const before = await world.requests('PUT', `/endpoints/${id}`);
    expectUsageError(await world.cli(['endpoint', 'update', id]), 'Give exactly one of --origin or --host.', 'endpoint update');
    expectUsageError(await world.cli(['endpoint', 'update', id, '--origin', 'o.example.com', '--host', 'h.example.com']), 'Give exactly one of --origin or --host.', 'endpoint update');
    expect(await world.requests('PUT', `/endpoints/${id}`)).toBe(before);
  });
});

describe('endpoint disable, enable, delete', () => {
  it('disable makes the edge refuse the domain, enable brings it back, delete removes it', async () => {
    const id = await world.endpoint('lifecycle.example.com');
    expect((await edgeGet(world.edgePort, 'lifecycle.example.com', '/page')).status).toBe(200);

    const disabled = await world.cli(['endpoint', 'disable', id, '--wait']);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toMatch(new RegExp(`^Operation \\S+ \\(DisableEndpoint\\) Succeeded\\n  Endpoint   ${id}\\n`));
    expect((await edgeGet(world.edgePort, 'lifecycle.example.com', '/page')).status).toBe(403);
    expect((await world.cli(['endpoint', 'show', id])).stdout).toContain('  Status         Normal, disabled\n');

    const enabled = parseJson(await world.cli(['endpoint', 'enable', id, '--wait', '--json']));
    expect(enabled).toMatchObject({ Type: 'EnableEndpoint', Status: 'Succeeded', EndpointId: id });
    expect((await edgeGet(world.edgePort, 'lifecycle.example.com', '/page')).status).toBe(200);

    const deleted = await world.cli(['endpoint', 'delete', id, '--json']);
    expect(deleted.code, deleted.stderr).toBe(0);
    const accepted = parseJson(deleted);
    expect(accepted).toEqual({ Succeeded: true, IsAsync: true, AsyncInfo: { TaskTrackId: expect.stringMatching(UUID), TaskStatus: expect.any(String) } });
    expect((await world.api.waitForOperation(id, accepted.AsyncInfo.TaskTrackId)).Type).toBe('DeleteEndpoint');
    const gone = await world.cli(['endpoint', 'show', id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^EndpointNotFound: /);
    expect((await world.cli(['endpoint', 'list'])).stdout).not.toContain(id);
  });

  it('delete --wait exits 0 once the endpoint is gone', async () => {
    const id = await world.endpoint('deleted.example.com');
    const result = await world.cli(['endpoint', 'delete', id, '--wait']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Operation \S+ \(DeleteEndpoint\) Succeeded\n/);
    expect((await world.api.sub('GET', `/endpoints/${id}`)).status).toBe(404);
  });
});
