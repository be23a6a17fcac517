#!/usr/bin/env node
// `stox --config FILE` (or STOX_CONFIG / STOX_* environment only). Validates the configuration before
// anything binds, exits 2 with every problem named by key, and stops gracefully on SIGTERM/SIGINT.
import { loadConfig, formatConfigErrors } from "./config/load.js";
import { redactConfig } from "./config/redact.js";
import { createLogger } from "./observability/logger.js";
import { createGateway, GatewayConfigError } from "./main.js";
import { readPackageVersion } from "./xmpp/ingress/iq-config.js";

const HELP = `stox ${readPackageVersion()} — SIP/SIMPLE ⇄ XMPP interworking gateway

usage: stox [--config FILE] [--check-config] [--print-config]

  --config FILE, -c FILE  YAML or JSON configuration (default: $STOX_CONFIG)
  --check-config          validate the configuration and exit (0 valid, 2 invalid)
  --print-config          print the validated configuration with secrets redacted, and exit
  --help, -h              this text

Every key can be set from the environment: STOX_<SECTION>__<KEY> (e.g. STOX_LOG__LEVEL=debug,
STOX_XMPP__COMPONENTS__0__SECRET_FILE=/run/secrets/component). Reference: docs/config.md.
`;

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(HELP);
    return 0;
  }
  const loaded = loadConfig({ env: process.env, argv });
  if (!loaded.ok) {
    process.stderr.write(`${formatConfigErrors(loaded.error)}\n`);
    return 2;
  }
  const config = loaded.value;
  if (argv.includes("--check-config")) {
    process.stdout.write("configuration is valid\n");
    return 0;
  }
  if (argv.includes("--print-config")) {
    process.stdout.write(`${JSON.stringify(redactConfig(config), null, 2)}\n`);
    return 0;
  }

  const logger = createLogger(config.log);
  let gateway;
  // Replicas (docs/scaling.md): a process whose link lease was taken cannot reopen its links; it
  // stops and exits 1 so the supervisor restarts it as a standby.
  let onLinkLost = (): void => undefined;
  try {
    gateway = createGateway(config, logger, { onLinkLost: () => onLinkLost() });
  } catch (err) {
    if (err instanceof GatewayConfigError) {
      process.stderr.write(`invalid configuration:\n  - ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  await gateway.start();

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string, exitCode = 0) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "stopping");
      // A second signal or the grace period running out forces the exit.
      const force = setTimeout(() => resolve(1), (config.shutdown.graceSeconds + 5) * 1000);
      force.unref();
      gateway.stop().then(() => resolve(exitCode), (err: unknown) => {
        logger.error({ err }, "error while stopping");
        resolve(1);
      });
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
    onLinkLost = () => stop("link-lease-lost", 1);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`stox: fatal: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
