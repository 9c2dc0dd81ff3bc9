// Run the CLI's main() in this process, capturing what it writes, so tests of flag errors
// and help texts need no process start (tsx startup is ~1 s per spawn on this machine).
import { main } from '../../cli/main.ts';
import { KEEP_FOREVER } from '../support/keep-forever.ts';

export async function inProcess(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries({ ...KEEP_FOREVER, ...env })) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  // The CLI writes strings; node:test's child reporter writes serialized Buffers to stdout
  // meanwhile, and those must still reach the runner.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return out(chunk, ...rest);
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return err(chunk, ...rest);
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
