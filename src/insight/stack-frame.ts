// The stack part of a fingerprint: the top frame in the user's own code. Frames of Node itself
// (node:, internal/), of dependencies (node_modules) and of Lifeline's own code are passed over;
// the path is made relative to the working directory and the line and column are dropped, so an
// edit elsewhere in the file does not regroup its failures.
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lifeline's own code: the directory above this one (src/ or dist/). */
const OWN_ROOT = dirname(dirname(fileURLToPath(import.meta.url))) + sep;

const FRAME = /^\s*at (?:(.*?) \()?(.+?):\d+:\d+\)?$/;

/** `path:function` of the first frame in user code, or null when there is none. */
export function topUserFrame(stack: string | undefined, cwd: string = process.cwd()): string | null {
  if (stack === undefined) return null;
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (m === null) continue;
    let file = m[2] as string;
    if (file.startsWith('file://')) file = safePath(file);
    if (file.startsWith('node:') || file.startsWith('internal/') || file.includes(`${sep}node_modules${sep}`) || file.includes('/node_modules/')) continue;
    if (!isAbsolute(file)) continue; // eval, native, anonymous
    if (file.startsWith(OWN_ROOT)) continue;
    // "Object.fn" names the plain object Lifeline called the function through: not the user's.
    const fn = (m[1] ?? '<anonymous>')
      .replace(/^async /, '')
      .replace(/ \[as [^\]]+\]$/, '')
      .replace(/^Object\./, '');
    return `${relative(cwd, file).split(sep).join('/')}:${fn}`;
  }
  return null;
}

function safePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}
