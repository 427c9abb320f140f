process.env.RECHECK_BACKEND = process.argv[2];
const { check } = await import('recheck');
for (const [s, f] of [['([?&](verifier|token|key)=)[^&]*', 'gi'], ['\\sencoding\\s*=\\s*(?:"([^"]*)"|\'([^\']*)\')', ''], ['^\\/(?:extensions\\/tnmt\\/)?(documents|fees|steps|parcels)(?:\\/(\\d+)(?:\\/(\\w+))?)?$', ''], ['^\\s*(\\d+)\\s*(ms|s|m|h)?\\s*$','']]) {
  for (const checker of ['auto', 'automaton'] as const) {
    const t = performance.now();
    const d = await check(s, f, { timeout: 20000, checker });
    console.log(process.argv[2], checker, s.slice(0, 30), d.status, d.checker, (performance.now() - t).toFixed(0));
  }
}
process.exit(0);
