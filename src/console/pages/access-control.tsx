/** Access control: forbidden IPs and referer control as fields, and the JSON beside. */
import type { AccessControl } from '../../contract/schemas/access-control.js';
import type { Api } from '../api.js';
import { JsonBeside } from '../components/json-beside.js';
import { OperationTracker } from '../components/operation-tracker.js';
import { FieldProblem, Problem } from '../components/problem.js';
import { useSettingsEditor } from '../components/use-settings-editor.js';
import { lines } from '../text-input.js';

export function AccessControlEditor({ api, id }: { api: Api; id: string }) {
  const { stored, draft, setDraft, problem, accepted, at, save } = useSettingsEditor<AccessControl>(api, `/endpoints/${id}/accesscontrol`);
  if (!draft) return <Problem problem={stored.problem} />;

  const referer = draft.RefererControl;
  const setReferer = (change: Partial<AccessControl['RefererControl']>) => setDraft({ ...draft, RefererControl: { ...referer, ...change } });
  const listField = (label: string, name: string, value: string[], set: (value: string[]) => void, path: string) => (
    <label>
      {label}
      <textarea
        name={name}
        rows={3}
        spellcheck={false}
        value={value.join('\n')}
        aria-describedby={`${name}-problem`}
        aria-invalid={at(path) ? 'true' : undefined}
        onChange={(e) => set(lines((e.currentTarget as HTMLTextAreaElement).value))}
      />
      <FieldProblem problem={at(path)} id={`${name}-problem`} />
    </label>
  );
  const shownAtField = ['ForbiddenIps', 'RefererControl.PathPatterns', 'RefererControl.Referers'].some((path) => at(path) !== undefined);

  return (
    <section aria-labelledby="access-title" class="editor">
      <h2 id="access-title">Access control</h2>
      <form onSubmit={save} class="structured stacked">
        {listField('Forbidden IPs and ranges (one per line)', 'ForbiddenIps', draft.ForbiddenIps, (ForbiddenIps) => setDraft({ ...draft, ForbiddenIps }), 'ForbiddenIps')}
        <fieldset>
          <legend>Referer control</legend>
          <label class="check">
            <input type="checkbox" name="RefererEnabled" checked={referer.Enabled} onChange={(e) => setReferer({ Enabled: (e.currentTarget as HTMLInputElement).checked })} />
            Enabled
          </label>
          <label>
            List type
            <select name="RefererControlType" value={referer.RefererControlType} onChange={(e) => setReferer({ RefererControlType: (e.currentTarget as HTMLSelectElement).value })}>
              <option value="AllowList">Allow only these referers</option>
              <option value="BlockList">Block these referers</option>
            </select>
          </label>
          {listField('Path patterns (one per line)', 'PathPatterns', referer.PathPatterns, (PathPatterns) => setReferer({ PathPatterns }), 'RefererControl.PathPatterns')}
          {listField('Referers (one per line)', 'Referers', referer.Referers, (Referers) => setReferer({ Referers }), 'RefererControl.Referers')}
        </fieldset>
        <button type="submit">Save access control</button>
      </form>
      <JsonBeside value={draft} onChange={setDraft} label="The same, as JSON" />
      {shownAtField ? null : <Problem problem={problem} />}
      {accepted ? <OperationTracker key={accepted.operationId} api={api} accepted={accepted} label="Saving access control" /> : null}
    </section>
  );
}
