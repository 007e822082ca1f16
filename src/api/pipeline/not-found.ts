/**
 * Unknown routes are 404 and known paths with the wrong method 405 (with Allow), both in the
 * contract's error shape. Routes are collected as they are registered.
 */
import { splitTarget } from '../../domain/url-path.js';
import type { FastifyInstance } from 'fastify';
import { Errors } from '../../contract/errors.js';
import { sendError } from './error-handler.js';

export function registerNotFound(app: FastifyInstance): void {
  const routes: Array<{ method: string; pattern: RegExp }> = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const pattern = new RegExp(
      `^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}/?$`,
      'i',
    );
    for (const method of methods) routes.push({ method, pattern });
  });

  app.setNotFoundHandler((request, reply) => {
    const { path } = splitTarget(request.raw.url ?? '/');
    const allowed = [...new Set(routes.filter((route) => route.pattern.test(path)).map((route) => route.method))];
    const error = allowed.length > 0 ? Errors.methodNotAllowed(request.method, path, allowed) : Errors.routeNotFound(request.method, path);
    reply.errorType = error.type;
    sendError(error, reply);
  });
}
