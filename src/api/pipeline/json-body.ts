/**
 * Bodies are JSON whatever Content-Type says (clients differ in what they send); an empty
 * body is no body. A byte-order mark is skipped. Prototype-poisoning keys are refused.
 */
import type { FastifyInstance } from 'fastify';
import { Errors } from '../../contract/errors.js';

export function registerJsonBodyParser(app: FastifyInstance): void {
  // Fastify answers a Content-Type it cannot parse ("", ";", a list) with 415 before any parser
  // runs; since the type does not matter here, whatever was sent is read as JSON.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (request.headers['content-type'] !== undefined) request.headers['content-type'] = 'application/json';
    done(null, payload);
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = (body as string).replace(/^\uFEFF/, '');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, (error, value) => {
      if (error) done(Errors.parameterInvalid(whyRefused(text)), undefined);
      else done(null, value);
    });
  });
}

/**
 * Fastify's parser reports every refusal as "not valid JSON but content-type is set to
 * 'application/json'", whatever the cause or the Content-Type; say what is actually wrong.
 */
function whyRefused(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return `The request body is not valid JSON: ${(error as Error).message}.`;
  }
  return 'The request body must not contain the property name "__proto__" or "constructor" with "prototype".';
}
