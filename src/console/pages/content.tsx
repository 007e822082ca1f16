/**
 * Purge and preload: URLs one per line (a URL ending in "/" purges a directory) and, for purges,
 * cache tags one per line and Soft (extensions); each URL's and tag's status is polled with the
 * operation's until it ends, with the operation's Message; then each edge's part (the Edges
 * extension, written when the operation ends).
 */
import { useState } from 'preact/hooks';
import type { Endpoint } from '../../contract/schemas/endpoint.js';
import type { PreloadResult, PurgeResult } from '../../contract/schemas/purge-preload.js';
import type { Accepted, Api, ApiProblem } from '../api.js';
import { OperationTracker } from '../components/operation-tracker.js';
import { FieldProblem, Problem } from '../components/problem.js';
import { asProblem, usePoll } from '../components/use-async.js';
import { FENCED_OUTCOME } from '../fleet-summary.js';
import { lines } from '../text-input.js';

type Kind = 'purges' | 'preloads';

interface Job {
  readonly kind: Kind;
  readonly accepted: Accepted;
}

export function ContentPanel({ api, endpoint }: { api: Api; endpoint: Endpoint }) {
  const id = endpoint.EndpointID;
  const [problem, setProblem] = useState<ApiProblem>();
  const [job, setJob] = useState<Job>();
  const [kind, setKind] = useState<Kind>('purges');

  const submit = async (event: Event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const urls = lines(String(data.get('urls')));
    const body = kind === 'purges' ? purgeBody(urls, lines(String(data.get('tags') ?? '')), data.get('soft') !== null) : { Files: urls };
    setProblem(undefined);
    try {
      setJob({ kind, accepted: await api.change('POST', `/endpoints/${id}/${kind}`, body) });
    } catch (error) {
      setProblem(asProblem(error));
    }
  };

  return (
    <section aria-labelledby="content-title">
      <h2 id="content-title">Purge and preload</h2>
      <form onSubmit={submit} class="stacked">
        <fieldset>
          <legend>Action</legend>
          <label class="check">
            <input type="radio" name="kind" value="purges" checked={kind === 'purges'} onChange={() => setKind('purges')} />
            Purge (a URL ending in "/" purges the directory)
          </label>
          <label class="check">
            <input type="radio" name="kind" value="preloads" checked={kind === 'preloads'} onChange={() => setKind('preloads')} />
            Preload
          </label>
        </fieldset>
        <label>
          URLs, one per line
          <textarea
            name="urls"
            rows={5}
            required={kind === 'preloads'}
            spellcheck={false}
            placeholder={`http://${endpoint.Settings.CustomDomain}/index.html`}
            aria-describedby="urls-problem"
            aria-invalid={problem ? 'true' : undefined}
          />
          <FieldProblem problem={problem} id="urls-problem" />
        </label>
        {kind === 'purges' ? (
          <>
            <label>
              Cache tags, one per line
              <textarea name="tags" rows={2} spellcheck={false} placeholder="product-42" aria-describedby="tags-hint" />
              <span id="tags-hint" class="muted">
                Purges every object whose response carried one of them in its Cache-Tag header.
              </span>
            </label>
            <label class="check">
              <input type="checkbox" name="soft" />
              Soft: mark stale instead of dropping (the next request revalidates with the origin)
            </label>
          </>
        ) : null}
        <button type="submit">Send</button>
      </form>
      {job ? <JobProgress key={job.accepted.operationId} api={api} job={job} /> : null}
    </section>
  );
}

function JobProgress({ api, job }: { api: Api; job: Job }) {
  const [result, setResult] = useState<PurgeResult | PreloadResult>();
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState<ApiProblem>();
  const read = async () => {
    try {
      setResult(await api.get<PurgeResult | PreloadResult>(`/endpoints/${job.accepted.endpointId}/${job.kind}/${job.accepted.operationId}`));
    } catch (error) {
      setProblem(asProblem(error));
    }
  };
  usePoll(read, !done);
  const purge = result && 'Directories' in result ? result : undefined;
  const rows = [
    ...(result?.Files ?? []).map((item) => ({ ...item, what: 'file' })),
    ...(purge?.Directories ?? []).map((item) => ({ ...item, what: 'directory' })),
    ...(purge?.Tags ?? []).map((item) => ({ Url: item.Tag, Status: item.Status, what: 'tag' })),
  ];
  return (
    <div class="job">
      <OperationTracker
        api={api}
        accepted={job.accepted}
        label={job.kind === 'purges' ? 'Purge' : 'Preload'}
        onEnd={() => {
          // The last read, after the end, holds each edge's part.
          void read().then(() => setDone(true));
        }}
      />
      <Problem problem={problem} />
      {purge?.Soft ? (
        <p class="soft-purge">Soft purge: what it covers is marked stale, not dropped; the next request revalidates it with the origin.</p>
      ) : null}
      <div class="job-results">
        <table class="urls">
          <caption>{purge?.Tags ? 'Each URL and tag' : 'Each URL'}</caption>
          <thead>
            <tr>
              <th scope="col">{purge?.Tags ? 'URL or tag' : 'URL'}</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={`${row.what} ${row.Url}`}>
                <td>{row.Url}</td>
                <td>{row.what}</td>
                <td class={`item-status item-${row.Status}`}>{row.Status}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <EdgeOutcomes edges={result?.Edges} done={done} />
      </div>
    </div>
  );
}

/** Tags and Soft (extensions) only when used: a plain purge is the v1.0 body. */
function purgeBody(urls: readonly string[], tags: readonly string[], soft: boolean) {
  return {
    Files: urls.filter((url) => !url.endsWith('/')),
    Directories: urls.filter((url) => url.endsWith('/')),
    ...(tags.length > 0 && { Tags: tags }),
    ...(soft && { Soft: true }),
  };
}

type EdgeOutcome = NonNullable<PurgeResult['Edges']>[number];

function EdgeOutcomes({ edges, done }: { edges: readonly EdgeOutcome[] | undefined; done: boolean }) {
  if (!edges || edges.length === 0) {
    return <p class="muted">{done ? 'No edge was live when it ran.' : "Each edge's part is shown when the operation ends."}</p>;
  }
  return (
    <table class="edges">
      <caption>Each edge</caption>
      <thead>
        <tr>
          <th scope="col">Edge</th>
          <th scope="col">Status</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {edges.map((edge) => (
          <tr key={edge.EdgeId} data-edge-id={edge.EdgeId}>
            <td>{edge.EdgeId}</td>
            <td class={`edge-status edge-${edge.Status}`}>{edge.Status}</td>
            {/* The API explains a fenced edge itself; the console says the same should it not. */}
            <td>{edge.Message ?? (edge.Status === 'Fenced' ? FENCED_OUTCOME : '')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
