'use strict';
// A bounded least-recently-used map whose entries also expire: a Map keeps insertion order,
// so re-inserting on every hit moves an entry to the young end and the oldest is first.

class ExpiringLru {
  /** @param {number} capacity most entries kept */
  constructor(capacity) {
    this.capacity = capacity;
    /** @type {Map<string, {expiresAt: number, value: any}>} */
    this.entries = new Map();
  }

  /** The value under `key` if it has not expired at `now` (ms); expired entries are dropped. */
  get(key, now) {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (now >= entry.expiresAt) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` until `expiresAt` (ms), evicting the least recently used when full. */
  set(key, value, expiresAt) {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value);
    this.entries.set(key, { expiresAt, value });
  }

  get size() {
    return this.entries.size;
  }
}

module.exports = { ExpiringLru };
