// ADC's connection settings, exactly as ADC 0.28 reads them, for tests/adc_tls.rs.
//
// The options below are ADC's own (apps/cli/src/command/helper.ts of api7/adc,
// Apache-2.0: `--server` from ADC_SERVER, `--token` from ADC_TOKEN, `--ca-cert-file`
// from ADC_CA_CERT_FILE, the boolean `--tls-skip-verify` from ADC_TLS_SKIP_VERIFY with
// default false), parsed by the same option parser ADC uses (commander 15, from npm),
// and the connection is made as ADC's backend makes it (apps/cli/src/tasks/
// init_backend.ts: an HTTPS agent with `rejectUnauthorized: !tlsSkipVerify` and the CA
// file's contents as `ca`), with Node's own TLS. `diff` asks the Admin API for its
// routes (ADC's first request) and, when the gateway answered, writes an empty plan.
// Only the connection is ADC's: this is no ADC.
import { readFileSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:https';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.GWLINT_NODE_MODULES;
const { Command, Option } = await import(
  pathToFileURL(join(modules, 'commander', 'index.js')).href
);

const program = new Command('adc');
for (const verb of ['diff', 'sync']) {
  program
    .command(verb)
    .option('-f, --file <file-path>', 'file', (f, all = []) => all.concat(f))
    .addOption(new Option('--verbose <integer>', 'verbosity').default(1))
    .addOption(new Option('--label-selector <selector>', 'labels'))
    .addOption(new Option('--backend <backend>', 'backend').env('ADC_BACKEND').default('apisix'))
    .addOption(new Option('--server <string>', 'server').env('ADC_SERVER'))
    .addOption(new Option('--token <string>', 'token').env('ADC_TOKEN'))
    .addOption(new Option('--ca-cert-file <string>', 'CA').env('ADC_CA_CERT_FILE'))
    .addOption(
      new Option('--tls-skip-verify', 'skip verification')
        .env('ADC_TLS_SKIP_VERIFY')
        .default(false),
    )
    .action((opts) => connect(verb, opts));
}

function connect(verb, opts) {
  const agent = new Agent({
    rejectUnauthorized: !opts.tlsSkipVerify,
    ...(opts.caCertFile ? { ca: readFileSync(opts.caCertFile) } : {}),
  });
  console.log(`adc ${verb}: tlsSkipVerify=${opts.tlsSkipVerify}`);
  const url = new URL('/apisix/admin/routes', opts.server);
  const req = request(url, { agent, headers: { 'X-API-KEY': opts.token ?? '' } }, (res) => {
    res.resume();
    res.on('end', () => {
      console.log(`adc ${verb}: the gateway answered ${res.statusCode}`);
      if (verb === 'diff') writeFileSync('diff.yaml', '[]\n');
      process.exit(res.statusCode === 200 ? 0 : 1);
    });
  });
  req.on('error', (err) => {
    console.error(`adc ${verb}: ${err.code ?? ''} ${err.message}`);
    process.exit(1);
  });
  req.end();
}

program.parse(process.argv);
