// Next.js serves the dashboard's pages only: the tRPC API, health and metrics are answered by our
// own HTTP server in front of it (src/server/http), so no server code is bundled here.

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The repository holds more than the app (library, CLI, benches): lint and type-check run in
  // `npm run check`, not during `next build`.
  typescript: { ignoreBuildErrors: true },
  // The CLI prints http://127.0.0.1:<port>/; Next 16 otherwise blocks its dev assets for that origin.
  allowedDevOrigins: ["127.0.0.1", "localhost"],
};

export default nextConfig;
