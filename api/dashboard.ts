import fs from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

const directory = path.join(__dirname, '..', 'dashboard');
const assets: Record<string, string> = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

/**
 * The managers' dashboard: a static page and its own script and style, served from this
 * repository (no CDN). They hold no pathway data, so they need no token; the page asks for one
 * and every figure it shows comes from the token-protected API. The CSP keeps it to this origin.
 */
const headers = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

export async function dashboardPage(_request: FastifyRequest, reply: FastifyReply) {
  return reply.headers(headers).type('text/html; charset=utf-8').send(fs.readFileSync(path.join(directory, 'index.html')));
}

export async function dashboardAsset(request: FastifyRequest<{ Params: { file: string } }>, reply: FastifyReply) {
  const type = Object.hasOwn(assets, request.params.file) ? assets[request.params.file] : undefined;
  if (!type) return reply.status(404).send({ error: 'not_found', message: 'No such dashboard asset' });
  return reply.headers(headers).type(type).send(fs.readFileSync(path.join(directory, request.params.file)));
}
