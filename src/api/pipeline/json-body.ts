/**
 * Bodies are JSON whatever Content-Type says (clients differ in what they send); an empty
 * body is no body. A byte-order mark is skipped. Prototype-poisoning keys are refused.
 */
import type { FastifyInstance } from 'fastify';
import { Errors } from '../../contract/errors.js';

export function registerJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = (body as string).replace(/^\uFEFF/, '');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, (error, value) => {
      if (error) done(Errors.parameterInvalid(`The request body is not valid JSON: ${error.message}`), undefined);
      else done(null, value);
    });
  });
}
