// IDX files (the MNIST / Fashion-MNIST format, raw or gzip): magic 0x0000 <type> <ndim>, ndim
// big-endian uint32 sizes, then the data. http://yann.lecun.com/exdb/mnist/ describes the format.

import { gunzipSync } from "node:zlib";
import { readBytes } from "../util/files.js";

export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** Reads a uint8 IDX file; errors name the file and what is wrong with it. */
export function readIdx(path: string): IdxArray {
  let bytes = readBytes(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${path}: corrupt gzip data (${(error as Error).message})`);
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0)
    throw new Error(`${path}: not an IDX file (bad magic number)`);
  if (bytes[2] !== 0x08)
    throw new Error(`${path}: IDX element type 0x${bytes[2]?.toString(16)} is not uint8`);
  const ndim = bytes[3] as number;
  if (ndim < 1 || bytes.length < 4 + 4 * ndim) throw new Error(`${path}: IDX header is truncated`);
  const shape = Array.from({ length: ndim }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const count = shape.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndim;
  if (bytes.length - start !== count) {
    throw new Error(
      `${path}: IDX header promises [${shape.join(", ")}] = ${count} bytes but the file holds ${bytes.length - start}`,
    );
  }
  return { shape, data: new Uint8Array(bytes.buffer, bytes.byteOffset + start, count) };
}
