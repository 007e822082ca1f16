/** Cache rules: one row per rule (type, items, TTL), the three switches, and the JSON beside. */
import type { CachePolicy } from '../../contract/schemas/cache-policy.js';
import { CACHE_RULE_TYPES } from '../../contract/enums.js';
import type { Api } from '../api.js';
import { JsonBeside } from '../components/json-beside.js';
import { OperationTracker } from '../components/operation-tracker.js';
import { FieldProblem, Problem } from '../components/problem.js';
import { useSettingsEditor } from '../components/use-settings-editor.js';
import { items } from '../text-input.js';

/** What the editor holds: TTL as typed, so the API (not the console) says what is wrong with it. */
type Draft = Omit<CachePolicy, 'Rules'> & { Rules: Array<{ Type: string; Items: string[]; TTL: number | string }> };

const SWITCHES = [
  ['IgnoreCacheControl', "Ignore the origin's Cache-Control (IgnoreCacheControl)"],
  ['IgnoreQueryString', 'Leave the query string out of the cache key (IgnoreQueryString)'],
  ['IgnoreCookie', 'Cache answers that set cookies, without their Set-Cookie (IgnoreCookie)'],
] as const;

export function CacheRulesEditor({ api, id }: { api: Api; id: string }) {
  const { stored, draft, setDraft, problem, accepted, field, at, save } = useSettingsEditor<Draft>(api, `/endpoints/${id}/cacherules`);
  if (!draft) return <Problem problem={stored.problem} />;

  const setRule = (index: number, change: Partial<Draft['Rules'][number]>) =>
    setDraft({ ...draft, Rules: draft.Rules.map((rule, i) => (i === index ? { ...rule, ...change } : rule)) });
  const shownAtField = field !== undefined && field.startsWith('Rules[');

  return (
    <section aria-labelledby="rules-title" class="editor">
      <h2 id="rules-title">Cache rules</h2>
      <form onSubmit={save} class="structured">
        <table class="rules">
          <caption>Rules, most specific first (FullUri, then Dir, then Suffix)</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Items (comma separated)</th>
              <th scope="col">TTL (seconds)</th>
              <th scope="col">
                <span class="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {draft.Rules.map((rule, index) => (
              <tr key={index}>
                <td>
                  <select aria-label={`Rule ${index + 1} type`} value={rule.Type} onChange={(e) => setRule(index, { Type: (e.currentTarget as HTMLSelectElement).value })}>
                    {CACHE_RULE_TYPES.map((type) => (
                      <option key={type}>{type}</option>
                    ))}
                  </select>
                  <FieldProblem problem={at(`Rules[${index}].Type`)} id={`rule-${index}-type-problem`} />
                </td>
                <td>
                  <input
                    aria-label={`Rule ${index + 1} items`}
                    aria-describedby={`rule-${index}-items-problem`}
                    aria-invalid={at(`Rules[${index}].Items`) ? 'true' : undefined}
                    value={rule.Items.join(', ')}
                    spellcheck={false}
                    onChange={(e) => setRule(index, { Items: items((e.currentTarget as HTMLInputElement).value) })}
                  />
                  <FieldProblem problem={at(`Rules[${index}].Items`)} id={`rule-${index}-items-problem`} />
                </td>
                <td>
                  <input
                    aria-label={`Rule ${index + 1} TTL`}
                    aria-describedby={`rule-${index}-ttl-problem`}
                    aria-invalid={at(`Rules[${index}].TTL`) ? 'true' : undefined}
                    inputMode="numeric"
                    value={String(rule.TTL)}
                    onInput={(e) => {
                      const typed = (e.currentTarget as HTMLInputElement).value.trim();
                      setRule(index, { TTL: /^\d+$/.test(typed) ? Number(typed) : typed });
                    }}
                  />
                  <FieldProblem problem={at(`Rules[${index}].TTL`)} id={`rule-${index}-ttl-problem`} />
                </td>
                <td>
                  <button type="button" aria-label={`Remove rule ${index + 1}`} onClick={() => setDraft({ ...draft, Rules: draft.Rules.filter((_, i) => i !== index) })}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={() => setDraft({ ...draft, Rules: [...draft.Rules, { Type: 'Suffix', Items: [], TTL: 3600 }] })}>
          Add a rule
        </button>
        <fieldset>
          <legend>Switches</legend>
          {SWITCHES.map(([name, label]) => (
            <label key={name} class="check">
              <input type="checkbox" checked={draft[name]} onChange={(e) => setDraft({ ...draft, [name]: (e.currentTarget as HTMLInputElement).checked })} />
              {label}
            </label>
          ))}
        </fieldset>
        <button type="submit">Save cache rules</button>
      </form>
      <JsonBeside value={draft} onChange={setDraft} label="The same, as JSON" />
      {shownAtField ? null : <Problem problem={problem} />}
      {accepted ? <OperationTracker key={accepted.operationId} api={api} accepted={accepted} label="Saving cache rules" /> : null}
    </section>
  );
}
