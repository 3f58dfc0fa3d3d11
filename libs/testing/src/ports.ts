import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';

/** A TCP port free right now on 127.0.0.1 (for a child process that must be told its port). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Peak resident set size of a process, in MiB (Linux: VmHWM). */
export function peakRssMb(pid: number): number | undefined {
  return statusMb(pid, 'VmHWM');
}

/** Resident memory of a process now, MiB (Linux); undefined when it cannot be read. */
export function rssMb(pid: number): number | undefined {
  return statusMb(pid, 'VmRSS');
}

function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** CPU milliseconds a process has used so far (utime + stime, Linux clock ticks of 10 ms); 0 once it has ended. */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}
