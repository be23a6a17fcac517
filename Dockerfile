# stox container image: build stage compiles TypeScript with devDependencies; the runtime stage holds
# only production dependencies and dist/, runs as the unprivileged `node` user (uid 1000), and reports
# health through /healthz on the metrics port. Config: --config /etc/stox/stox.yaml (mount a ConfigMap)
# and/or STOX_* variables; secrets as files via STOX_…_FILE (see docs/config.md, docs/operations.md).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the runtime needs no native builds (prebuilt msgpackr binaries are optional).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY examples ./examples
USER node
# 5060 SIP (UDP and TCP), 5061 SIP/TLS, 9090 metrics and probes.
EXPOSE 5060/udp 5060/tcp 5061/tcp 9090/tcp
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.STOX_HTTP__PORT||9090)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/src/cli.js"]
CMD ["--config", "/etc/stox/stox.yaml"]
