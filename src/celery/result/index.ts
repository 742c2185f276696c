// Public exports of result/.

