// A real SMTP server inside the test process (smtp-server), every message parsed with mailparser.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface SmtpCapture {
  url: string;
  messages: ParsedMail[];
  /** Answers the next n messages with this SMTP error (451 is temporary, 550 permanent). */
  refuseNext(n: number, code: number): void;
  close(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: ParsedMail[] = [];
  let refusals: { left: number; code: number } = { left: 0, code: 451 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusals.left > 0) {
          refusals.left -= 1;
          const error = Object.assign(new Error(refusals.code < 500 ? 'try again later' : 'mailbox unavailable'), { responseCode: refusals.code });
          return callback(error);
        }
        simpleParser(Buffer.concat(chunks)).then((parsed) => {
          messages.push(parsed);
          callback();
        }, (error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    refuseNext(n, code) {
      refusals = { left: n, code };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
