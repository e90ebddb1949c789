# amo-address for production: built in one stage with the dev tools, run in another without them.
#   docker build --build-arg PUBLIC_URL=https://amo-address.example.com -t amo-address .
#   docker run -p 3000:3000 -v amo-data:/app/data --env-file .env amo-address
# Not run on the machines this project is built on (no container engine there): docs/operating.md, "Deployment".

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The widget zip calls PUBLIC_URL: build it for the address amoCRM will reach.
ARG PUBLIC_URL=http://localhost:3000
RUN npm run build \
 && PUBLIC_URL="$PUBLIC_URL" npm run build:widget -- $(case "$PUBLIC_URL" in https://*) ;; *) echo --dev ;; esac) \
 && npm pack --silent --pack-destination /tmp \
 && mkdir /out && tar xzf /tmp/amo-address-*.tgz -C /out \
 && cp package-lock.json /out/package/

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATABASE_PATH=/app/data/amo-address.db
WORKDIR /app
COPY --from=build /out/package/ ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force \
 && mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
# Liveness is /healthz; a load balancer should use /readyz (store writable, index loaded, disk room).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server/main.js"]
