// How often open pages poll for news: within ~2 s of an event every page shows it.

export const LIVE_INTERVAL_MS = 2000;
