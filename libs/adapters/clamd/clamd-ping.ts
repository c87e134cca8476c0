import { connect } from 'node:net';

/**
 * Asks clamd for `zPING` and resolves when it answers PONG. Used for readiness only; scanning goes
 * through the clamscan client.
 */
export async function pingClamd(host: string, port: number, timeoutMs: number): Promise<void> {
  const answer = await askClamd(host, port, 'PING', timeoutMs);
  if (answer !== 'PONG')
    throw new Error(`clamd answered ${JSON.stringify(answer.slice(0, 40))} instead of PONG`);
}

/** clamd's version and signature date ("ClamAV 1.0.7/27480/…"), for the operator view. */
export function clamdVersion(host: string, port: number, timeoutMs: number): Promise<string> {
  return askClamd(host, port, 'VERSION', timeoutMs);
}

/** One NUL-terminated command (`z<COMMAND>\0`), one answer, connection closed. */
function askClamd(
  host: string,
  port: number,
  command: 'PING' | 'VERSION',
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let answer = '';
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`clamd did not answer within ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.on('connect', () => socket.write(`z${command}\0`));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\0') || answer.includes('\n')) socket.end();
    });
    socket.on('close', () => resolve(answer.replace(/[\0\n]/g, '')));
  });
}
