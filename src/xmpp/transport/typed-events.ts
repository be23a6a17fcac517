// A minimal typed event hub. Unlike node's EventEmitter an "error" event without listeners does not
// throw: the link logs every error itself, listeners are optional observers.

export type EventMap = { readonly [event: string]: readonly unknown[] };
export type Listener<A extends readonly unknown[]> = (...args: A) => void;

export interface TypedEvents<E extends EventMap> {
  /** Returns the function that removes this listener. */
  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): () => void;
  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): () => void;
}

export interface TypedEmitter<E extends EventMap> extends TypedEvents<E> {
  emit<K extends keyof E & string>(event: K, ...args: E[K]): void;
}

export function createEmitter<E extends EventMap>(onListenerError: (err: unknown) => void): TypedEmitter<E> {
  const listeners = new Map<string, Set<Listener<readonly unknown[]>>>();
  const on = <K extends keyof E & string>(event: K, listener: Listener<E[K]>) => {
    let set = listeners.get(event);
    if (!set) { set = new Set(); listeners.set(event, set); }
    const l = listener as Listener<readonly unknown[]>;
    set.add(l);
    return () => { set.delete(l); };
  };
  return {
    on,
    once(event, listener) {
      const off = on(event, ((...args: E[typeof event]) => { off(); listener(...args); }) as Listener<E[typeof event]>);
      return off;
    },
    emit(event, ...args) {
      const set = listeners.get(event);
      if (!set) return;
      // A throwing listener must not break the transport's own bookkeeping (or other listeners).
      for (const l of [...set]) {
        try { l(...args); } catch (err) { onListenerError(err); }
      }
    },
  };
}
