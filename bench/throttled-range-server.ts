import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * A stand-in for S3 in the read benchmark: serves one local file to HEAD and ranged GET requests
 * (any path), each response throttled to BYTES_PER_SECOND on its connection after FIRST_BYTE_MS
 * of latency, which is how one S3 GET behaves (85-90 MB/s per connection, 10-20 ms to the first
 * byte). Usage: node server.js FILE [MB_PER_S] [FIRST_BYTE_MS]; prints {"port": N} when listening.
 *
 * It runs in its own process so that it never competes with the reader for one event loop, and it
 * spends as little CPU as it can: 256 KiB writes (a quarter of the syscalls of 64 KiB ones), read
 * synchronously from the page cache, paced against a monotonic clock by the bytes sent so far, so
 * a timer that fires late is made up by the next write instead of lowering the rate.
 */
const [file, mbPerSecond = '85', firstByteMs = '20'] = process.argv.slice(2);
const BYTES_PER_SECOND = Number(mbPerSecond) * 1e6;
const FIRST_BYTE_MS = Number(firstByteMs);
const CHUNK = 256 * 1024;
const fd = openSync(file, 'r');
const size = fstatSync(fd).size;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const server = createServer((req, res) => {
  const headers = { 'Accept-Ranges': 'bytes', ETag: '"bench-etag"', 'Last-Modified': new Date(0).toUTCString(), 'Content-Type': 'application/zip' };
  if (req.method === 'HEAD') {
    res.writeHead(200, { ...headers, 'Content-Length': size });
    res.end();
    return;
  }
  const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  const end = range ? Math.min(size - 1, Number(range[2])) : size - 1;
  void send(res, start, end + 1, range ? { ...headers, 'Content-Range': `bytes ${start}-${end}/${size}` } : headers, range ? 206 : 200);
});

async function send(res: ServerResponse, start: number, end: number, headers: Record<string, string>, status: number): Promise<void> {
  await sleep(FIRST_BYTE_MS);
  res.writeHead(status, { ...headers, 'Content-Length': end - start });
  const began = performance.now();
  let sent = 0;
  for (let position = start; position < end && !res.destroyed;) {
    const length = Math.min(CHUNK, end - position);
    const buffer = Buffer.allocUnsafe(length);
    const bytesRead = readSync(fd, buffer, 0, length, position);
    position += bytesRead;
    sent += bytesRead;
    if (!res.write(buffer.subarray(0, bytesRead))) await new Promise((resolve) => res.once('drain', resolve));
    const wait = began + (sent / BYTES_PER_SECOND) * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  res.end();
}

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  closeSync(fd);
  process.exit(0);
});
