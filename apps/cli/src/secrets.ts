// Reading a password: from CFTP_PASSWORD (scripts), else from the terminal without echo.
import { CftpError } from '@cftp/protocol';

export async function readPassword(prompt: string): Promise<string> {
  const fromEnv = process.env.CFTP_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  const input = process.stdin;
  if (!input.isTTY) {
    throw new CftpError('EUSAGE', 'no terminal to ask for the password: set CFTP_PASSWORD');
  }
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish();
        if (char === '\u0003')
          return finish(new CftpError('ECANCELED', 'password entry cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}
