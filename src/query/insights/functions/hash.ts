/** Hashing functions (AWS's "Hashing functions" page): digests of the value's UTF-8 bytes, in lower-case hex. */
import { asString } from './coerce.js';
import { family, str, val } from './define.js';

export const HASH_FUNCTIONS = family('hash', {
  md5: {
    args: ['string'],
    doc: 'md5(str): the MD5 digest, 32 hex digits.',
    compile: (args) => str(`md5(${asString(val(args, 0)).sql})`),
  },
  sha256: {
    args: ['string'],
    doc: 'sha256(str): the SHA-256 digest, 64 hex digits.',
    compile: (args) => str(`sha256(${asString(val(args, 0)).sql})`),
  },
});
