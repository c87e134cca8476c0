import { connect } from 'node:net';

/**
 * Asks clamd for `zPING` and resolves when it answers PONG. Used for readiness only; scanning goes
 * through the clamscan client.
 */
export function pingClamd(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let answer = '';
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`clamd did not answer within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('connect', () => socket.write('zPING\0'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\0') || answer.includes('\n')) socket.end();
    });
    socket.on('close', () => {
      if (answer.replace(/[\0\n]/g, '') === 'PONG') resolve();
      else reject(new Error(`clamd answered ${JSON.stringify(answer.slice(0, 40))} instead of PONG`));
    });
  });
}
