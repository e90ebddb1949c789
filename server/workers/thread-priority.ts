/**
 * A worker thread yields the CPU to the one that answers suggestions (nice 10: against busy
 * threads it gets about a tenth of their share). On Linux a thread has its own nice value, and
 * /proc/thread-self names its id (setpriority(2) with PRIO_PROCESS and a thread id sets that
 * thread's). Elsewhere, or without the right to, the thread keeps the process's priority.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export function yieldToAnsweringThread(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or not allowed: the same priority as the rest
  }
}
