// Starts s3rver 3.7.1 for the tests, correcting two of its bugs in the server rather than in the product:
//  1. A listing with a delimiter omits a common prefix whose folder holds only sub-folders (keys a/b/c and top:
//     listing the root returns top but not a/). The store's listObjects is replaced by one that walks every
//     object under the prefix and groups by delimiter as S3 does.
//  2. CopyObject: the AWS SDK percent-encodes x-amz-copy-source (bucket%2Fkey) and s3rver decodes it with
//     decodeURI, which keeps %2F. The header is decoded fully, then re-encoded so that s3rver's decodeURI
//     yields the plain source.
// Usage: node --openssl-legacy-provider s3rver-wrapper.js S3RVER_MODULE_DIR DATA_DIR [PARENT_PID]
// With PARENT_PID the server exits when that process is gone (a test run that crashed leaves no server behind).
// Prints "listening PORT" on stdout once it answers; port 0 asks the kernel for a free port.
'use strict';
const path = require('path');
const fs = require('fs');

const [moduleDir, dataDir, parentPid] = process.argv.slice(2);
if (!moduleDir || !dataDir) {
  console.error('usage: s3rver-wrapper.js S3RVER_MODULE_DIR DATA_DIR');
  process.exit(2);
}
const S3rver = require(moduleDir);
const FilesystemStore = require(path.join(moduleDir, 'lib/stores/filesystem.js'));

const OBJECT_SUFFIX = '._S3rver_object';

function* walkObjects(dir, prefixPath) {
  let names;
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return;
    throw err;
  }
  for (const name of names) {
    const full = dir + '/' + name;
    // only folders that intersect the prefix are walked
    if (!(full.startsWith(prefixPath) || prefixPath.startsWith(full))) continue;
    const stats = fs.statSync(full);
    if (stats.isDirectory()) yield* walkObjects(full, prefixPath);
    else if (name.endsWith(OBJECT_SUFFIX)) yield full;
  }
}

FilesystemStore.prototype.listObjects = async function listObjects(bucket, options) {
  const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
  const bucketPath = this.getBucketPath(bucket);
  const prefixPath = bucketPath + '/' + prefix;
  const keys = [];
  for (const file of walkObjects(bucketPath, prefixPath)) {
    const key = file.slice(bucketPath.length + 1, -OBJECT_SUFFIX.length);
    if (key.startsWith(prefix)) keys.push(key);
  }
  // S3 orders keys by their UTF-8 bytes
  keys.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));

  // s3rver's controller makes the continuation token from the last object key, so only objects count
  // against maxKeys; common prefixes of the keys up to the cut are reported with the page.
  const commonPrefixes = new Set();
  const selected = [];
  let isTruncated = false;
  for (const key of keys) {
    if (Buffer.compare(Buffer.from(key, 'utf8'), Buffer.from(startAfter, 'utf8')) <= 0) continue;
    if (delimiter) {
      const idx = key.slice(prefix.length).indexOf(delimiter);
      if (idx !== -1) {
        const common = key.slice(0, prefix.length + idx + delimiter.length);
        if (!startAfter.startsWith(common)) commonPrefixes.add(common);
        continue;
      }
    }
    if (selected.length < maxKeys) {
      selected.push(key);
    } else {
      isTruncated = true;
      break;
    }
  }
  const S3Object = require(path.join(moduleDir, 'lib/models/object.js'));
  const objects = [];
  for (const key of selected) {
    try {
      objects.push(new S3Object(bucket, key, null, await this.getMetadata(bucket, key)));
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
  }
  return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
};

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: dataDir,
});

server.middleware.unshift(async (ctx, next) => {
  const source = ctx.headers['x-amz-copy-source'];
  if (source) {
    try {
      ctx.headers['x-amz-copy-source'] = encodeURI(decodeURIComponent(source));
    } catch {
      // leave a malformed header to s3rver, which answers it with its own error
    }
  }
  await next();
});

server.run().then(
  address => {
    process.stdout.write(`listening ${address.port}\n`);
  },
  err => {
    console.error(`s3rver failed to start: ${err.message}`);
    process.exit(1);
  },
);

// The fixture stops the server by PID with SIGTERM; close cleanly so the data dir can be deleted.
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});

if (parentPid) {
  setInterval(() => {
    try {
      process.kill(Number(parentPid), 0);
    } catch {
      process.exit(0);
    }
  }, 1000).unref();
}
