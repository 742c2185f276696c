// AMQP topic-exchange matching for the memory broker; mirrors RabbitMQ's rabbit_exchange_type_topic.

/**
 * Whether `routingKey` matches the binding `pattern`: words are dot-separated, `*` stands for
 * exactly one word and `#` for zero or more (AMQP semantics, not kombu's Redis regex).
 */
export function topicMatches(pattern: string, routingKey: string): boolean {
  return matchWords(pattern.split("."), 0, routingKey.split("."), 0);
}

function matchWords(pattern: string[], p: number, words: string[], w: number): boolean {
  if (p === pattern.length) return w === words.length;
  const token = pattern[p];
  if (token === "#") {
    for (let skip = w; skip <= words.length; skip++) if (matchWords(pattern, p + 1, words, skip)) return true;
    return false;
  }
  if (w === words.length) return false;
  return (token === "*" || token === words[w]) && matchWords(pattern, p + 1, words, w + 1);
}
