/**
 * The JSON of what a structured editor holds, beside it and editable: typing valid JSON there
 * updates the structured fields, and changing a field rewrites the JSON.
 */
import { useEffect, useState } from 'preact/hooks';

export function JsonBeside<T>({ value, onChange, label }: { value: T; onChange: (value: T) => void; label: string }) {
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [error, setError] = useState<string>();
  useEffect(() => {
    // A change from the structured side (not the echo of this text being parsed).
    let same = false;
    try {
      same = JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
    } catch {
      same = false;
    }
    if (!same) {
      setText(JSON.stringify(value, null, 2));
      setError(undefined);
    }
  }, [value]);
  return (
    <label class="json-beside">
      {label}
      <textarea
        rows={16}
        spellcheck={false}
        value={text}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby="json-problem"
        onInput={(event) => {
          const next = (event.currentTarget as HTMLTextAreaElement).value;
          setText(next);
          try {
            onChange(JSON.parse(next) as T);
            setError(undefined);
          } catch (problem) {
            setError(`Not JSON yet: ${(problem as Error).message}`);
          }
        }}
      />
      {error ? (
        <span class="field-problem" id="json-problem">
          {error}
        </span>
      ) : null}
    </label>
  );
}
