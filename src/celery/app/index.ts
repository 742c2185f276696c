// Public exports of app/.

