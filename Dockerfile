# The faultline image used by compose.yaml (services migrate, faultline, generate).
# The build stage compiles the TypeScript to dist/ (`npm run build`, tsc); the image keeps dist/
# and the production dependencies only: no compiler, no tsx, no bundler at run time.
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies first, for the layer cache; `prepare` (the build) runs below, once the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.js ./scripts/build.js
COPY cli ./cli
COPY lib ./lib
COPY ingest ./ingest
COPY transform ./transform
COPY sql ./sql
COPY dashboards ./dashboards
COPY data ./data
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20.19-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
# Exec form: node is PID 1 and gets the SIGTERM of `docker stop`; faultline drains on it.
ENTRYPOINT ["node", "bin/faultline.js"]
CMD ["run"]
