# Celeriac's image: the dashboard, the ingestor and the CLI (docker-compose.yml runs it twice).
FROM node:20-bookworm-slim
ENV NEXT_TELEMETRY_DISABLED=1 NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --include=dev
COPY . .
RUN npm run build
EXPOSE 3000
ENTRYPOINT ["node", "bin/celeriac.js"]
CMD ["dashboard", "--host", "0.0.0.0"]
