// An origin serving a folder the way an S3 bucket behind Origin Access Control does (the
// project's deploy/template.yaml): GET and HEAD of object keys, `Content-Type` from the file
// extension (S3 returns what was stored at upload; `aws s3 sync` guesses it from the
// extension, as here), `ETag`, `Last-Modified`, single byte ranges (video needs them).
//
// A missing key: S3 answers 404 NoSuchKey to a caller that may `s3:ListBucket`, and 403
// AccessDenied to one that may not (S3 API reference, GetObject: "If you don't have the
// s3:ListBucket permission, Amazon S3 returns an HTTP status code 403"). `listBucket` says
// which (the demo reads it from the template's bucket policy, which grants both to the
// distribution, so a missing object is a 404 and never looks like a refused signature); the
// default, false, is S3's answer to a policy that grants `s3:GetObject` only. Without
// `getObject` every key is 403 AccessDenied. Both are S3's XML, which differs from
// CloudFront's own 403 (`Access Denied` vs `Access denied`, and a RequestId/HostId).
//
// `root` may be a list of folders: a key is looked up in each in turn (the demo lays
// edge/site, the pages a deployment uploads, over its own content).
// A "directory" (a key ending in `/`) is just a missing key: S3 REST endpoints have no index
// documents (only the distribution's DefaultRootObject, for `/`).

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES = {
  '.html': 'text/html',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.txt': 'text/plain',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.woff2': 'font/woff2',
};

/** S3's default for an object stored without a type. */
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/**
 * @param {{root: string | string[], listBucket?: boolean, getObject?: boolean}} options
 * @returns {(request: {method: string, uri: string, headers: Record<string, {key?: string, value: string}[]>}) =>
 *           Promise<{status: number, headers: Record<string, string>, body: Buffer}>}
 */
export function s3Origin({ root, listBucket = false, getObject = true }) {
  const bases = [root].flat().map((r) => path.resolve(r));
  return async (request) => {
    const requestId = crypto.randomBytes(8).toString('hex').toUpperCase();
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return s3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', requestId);
    }
    let key;
    try {
      key = decodeURIComponent(request.uri.slice(1));
    } catch {
      return s3Error(400, 'InvalidURI', "Couldn't parse the specified URI.", requestId);
    }
    if (!getObject) return s3Error(403, 'AccessDenied', 'Access Denied', requestId);
    const found = await findObject(bases, key);
    if (found === null) {
      return listBucket
        ? s3Error(404, 'NoSuchKey', 'The specified key does not exist.', requestId, key)
        : s3Error(403, 'AccessDenied', 'Access Denied', requestId);
    }
    const { file, stat } = found;
    const data = await fs.readFile(file);
    const headers = {
      'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? DEFAULT_CONTENT_TYPE,
      etag: `"${crypto.createHash('md5').update(data).digest('hex')}"`,
      'last-modified': stat.mtime.toUTCString(),
      'accept-ranges': 'bytes',
      server: 'AmazonS3',
      'x-amz-request-id': requestId,
    };
    const range = parseRange(header(request, 'range'), data.length);
    if (range === 'unsatisfiable') {
      return { ...s3Error(416, 'InvalidRange', 'The requested range is not satisfiable', requestId), headers: { ...headers, 'content-type': 'application/xml', 'content-range': `bytes */${data.length}` } };
    }
    if (range) {
      return {
        status: 206,
        headers: { ...headers, 'content-range': `bytes ${range.start}-${range.end}/${data.length}` },
        body: data.subarray(range.start, range.end + 1),
      };
    }
    return { status: 200, headers, body: data };
  };
}

/** The first folder holding `key` as a file, or null. */
async function findObject(bases, key) {
  // Keys are flat names: nothing may resolve outside the folder, and dot segments or a
  // trailing slash name no file (S3 would look up that literal key and find nothing).
  if (key.endsWith('/') || key.split('/').includes('..')) return null;
  for (const base of bases) {
    const file = path.resolve(base, key);
    if (!file.startsWith(base + path.sep)) continue;
    const stat = await fs.stat(file).catch(() => null);
    if (stat?.isFile()) return { file, stat };
  }
  return null;
}

function header(request, name) {
  const entries = request.headers?.[name];
  return Array.isArray(entries) && entries.length > 0 ? entries[0].value : undefined;
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; anything else is ignored (full body). */
function parseRange(value, size) {
  const match = value === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start;
  let end;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

function s3Error(status, code, message, requestId, key) {
  const keyXml = key === undefined ? '' : `<Key>${key.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c])}</Key>`;
  const hostId = crypto.randomBytes(48).toString('base64');
  return {
    status,
    headers: { 'content-type': 'application/xml', server: 'AmazonS3', 'x-amz-request-id': requestId },
    body: Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${keyXml}<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`,
    ),
  };
}
