# The faultline image used by compose.yaml (services migrate, faultline, generate).
# TypeScript runs through tsx, as on a developer machine: no build step.
FROM node:20.19-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY cli ./cli
COPY lib ./lib
COPY ingest ./ingest
COPY transform ./transform
COPY sql ./sql
COPY dashboards ./dashboards
COPY data ./data
COPY tsconfig.json ./
USER node
ENTRYPOINT ["node", "bin/faultline.js"]
CMD ["run"]
