import { type INestApplication } from '@nestjs/common';
import { type AddressInfo } from 'node:net';
import { createLogger } from '../../libs/logging/logger';
import { createApp } from '../../apps/api/src/app.factory';
import { type ApiConfig } from '../../libs/config/config';

export interface RunningApi {
  app: INestApplication;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The real API application, in-process, listening on a loopback port: a random one, or `port` where the
 * address must be known before start (API_PUBLIC_URL, registered with an identity provider).
 */
export async function startApi(config: ApiConfig, listenPort = 0): Promise<RunningApi> {
  const app = await createApp(config, createLogger({ name: 'homeroom-api-test', level: config.LOG_LEVEL }));
  await app.listen(listenPort, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Non-JSON answers (docs HTML) are returned as text.
  }
  return { status: res.status, headers: res.headers, body: body as T };
}
