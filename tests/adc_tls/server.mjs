// An Admin API stand-in over HTTPS with a self-signed certificate
// (fixtures/tls/self-signed.*), for tests/adc_tls.rs: prints the port it listens on
// (127.0.0.1, chosen by the system), answers every request with an empty route list,
// and stops when its standard input closes.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [cert, key] = process.argv.slice(2).map((file) => readFileSync(file));
const server = createServer({ cert, key }, (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', server: 'APISIX/3.18.0' });
  res.end('{"list":[],"total":0}');
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
