import { getAdapter } from '../adapters/registry.js';
import { refuseDangerousXml } from '../adapters/kit/xml.js';
const s = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><GoiTin/>`;
let t = performance.now();
try { refuseDangerousXml(s); } catch {}
console.log('first refuse', performance.now() - t);
t = performance.now();
try { getAdapter('tnmt-xml')!.decode({ body: Buffer.from(s), contentType: 'application/xml', headers: {}, systemId: 'x' }); } catch {}
console.log('first decode', performance.now() - t);
t = performance.now();
try { getAdapter('tnmt-xml')!.decode({ body: Buffer.from(s), contentType: 'application/xml', headers: {}, systemId: 'x' }); } catch {}
console.log('second decode', performance.now() - t);
