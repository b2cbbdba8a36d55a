// Real HTTP receivers for webhooks: answer 2xx, 500, hang (never answer) or reset the connection, and record what came.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverMode = 'ok' | 'fail' | 'hang' | 'reset';

export interface Received {
  headers: Record<string, string>;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
  mode: ReceiverMode;
  close(): Promise<void>;
}

export async function startReceiver(mode: ReceiverMode = 'ok'): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const hanging = new Set<http.ServerResponse>();
  const receiver: WebhookReceiver = { url: '', received, mode, close: async () => {} };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      received.push({ headers: request.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') });
      if (receiver.mode === 'ok') return response.writeHead(204).end();
      if (receiver.mode === 'fail') return response.writeHead(500, { 'content-type': 'text/plain' }).end('broken');
      if (receiver.mode === 'reset') return request.socket.destroy();
      hanging.add(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = async () => {
    for (const response of hanging) response.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}
