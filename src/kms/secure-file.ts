/**
 * Files that hold secrets or wrapped keys: read only when no other user may read them (as ssh refuses a
 * readable private key), written atomically with mode 0600 (temp file, fsync, rename or link, fsync of the
 * directory), so a crash leaves either the old or the new content, never a mix.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InsecureKeyFileError } from './errors.js';

/**
 * The file's bytes, or undefined when it does not exist. Throws InsecureKeyFileError when group or
 * others have access (`what` says what the file holds, for the message).
 */
export function readPrivateFile(path: string, what = 'key material'): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // fstat on the open descriptor: the mode checked is the mode of the file read.
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new InsecureKeyFileError(`${path} is not a regular file`);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
      throw new InsecureKeyFileError(
        `${path} holds ${what} but its permissions (${mode}) let other users access it; ` +
          `run \`chmod 600 ${path}\` and start again`,
      );
    }
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `contents` atomically and durably; the new file has mode 0600. */
export function writePrivateFileAtomic(path: string, contents: Uint8Array): void {
  const temp = writeTemp(path, contents);
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncDirectory(dirname(path));
}

/**
 * writePrivateFileAtomic off the event loop, for files rewritten while the server runs (a temporary file
 * fsynced, renamed over `path`, then the directory fsynced); the new file has mode 0600.
 */
export async function writePrivateFileDurably(path: string, contents: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await fsp.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(contents);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, path);
  const dir = await fsp.open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Creates `path` with `contents` unless it exists; returns false when another writer got there first. */
export function createPrivateFileExclusive(path: string, contents: Uint8Array): boolean {
  const temp = writeTemp(path, contents);
  try {
    linkSync(temp, path); // atomic create-if-absent: readers never see a partly written file
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(temp, { force: true });
    syncDirectory(dirname(path));
  }
}

function writeTemp(path: string, contents: Uint8Array): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // the umask may have cleared bits of 0600; make it exactly that
    for (let off = 0; off < contents.length; ) off += writeSync(fd, contents, off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  return temp;
}

/** Makes a rename durable. Directories cannot be opened for fsync on Windows; there it is skipped. */
function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
