// SPDX-License-Identifier: GPL-2.0
// A live view of a collection, as client-go's informers keep one: list, then watch from the
// list's resourceVersion; a watch that ends is resumed from the last version seen, an
// expired one (410) starts over with a list.
import { ApiError, get, watch } from './api.js';

const RETRY_MS = 1000;

export class Live {
  /**
   * @param {string} path - the collection's path (a labelSelector query may follow)
   * @param {function} onChange - called with the objects (sorted by name) after changes
   * @param {function} onError - called with an ApiError when listing fails
   */
  constructor(path, onChange, onError) {
    this.path = path;
    this.onChange = onChange;
    this.onError = onError;
    this.items = new Map();
    this.abort = new AbortController();
    this.pending = false;
    this.run();
  }

  stop() { this.abort.abort(); }

  get stopped() { return this.abort.signal.aborted; }

  key(obj) { return `${obj.metadata.namespace || ''}/${obj.metadata.name}`; }

  changed() {
    // one redraw for a burst of events
    if (this.pending || this.stopped)
      return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      if (!this.stopped)
        this.onChange(this.objects());
    });
  }

  objects() {
    return [...this.items.values()].sort((a, b) =>
      a.metadata.name.localeCompare(b.metadata.name));
  }

  async list() {
    const doc = await get(this.path);
    this.items = new Map(doc.items.map((o) => [this.key(o), o]));
    this.changed();
    return doc.metadata.resourceVersion;
  }

  event(ev, rv) {
    if (ev.type === 'ERROR')
      throw new ApiError(ev.object?.code || 500, ev.object);
    if (ev.type === 'ADDED' || ev.type === 'MODIFIED')
      this.items.set(this.key(ev.object), ev.object);
    else if (ev.type === 'DELETED')
      this.items.delete(this.key(ev.object));
    if (ev.type !== 'BOOKMARK')
      this.changed();
    rv.value = ev.object.metadata.resourceVersion;
  }

  async run() {
    const rv = { value: null };
    while (!this.stopped) {
      try {
        if (rv.value === null)
          rv.value = await this.list();
        await watch(this.path, rv.value, this.abort.signal, (ev) => this.event(ev, rv));
      } catch (e) {
        if (this.stopped)
          return;
        if (e instanceof ApiError && e.code !== 410 && e.code !== 0) {
          this.onError(e);
          if (e.code === 401 || e.code === 403)
            return;
        }
        if (e instanceof ApiError && e.code === 410)
          rv.value = null;
        else
          await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }
}
