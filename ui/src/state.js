// A tiny observable value; the app re-renders when the language, session or route changes.
export function signal(initial) {
  let v = initial;
  const subs = new Set();
  return {
    get: () => v,
    set(n) {
      v = n;
      for (const s of subs) s(n);
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}
