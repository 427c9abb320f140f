import { XMLValidator, XMLParser } from 'fast-xml-parser';
import { scanXml } from '/work/h-parse/adapters/kit/xml-scan.ts';
import { parseXmlText } from '/work/h-parse/adapters/kit/xml.ts';
const s = '<r>' + '<b/>'.repeat(49990) + '</r>';
const p = new XMLParser({ preserveOrder: true, captureMetaData: true, processEntities: false, htmlEntities: false, ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: false, parseTagValue: false, parseAttributeValue: false, trimValues: false, ignoreDeclaration: true, ignorePiTags: true, maxNestedTags: 64, transformTagName: (n: string) => n });
for (let k = 0; k < 2; k++) {
let t = performance.now(); scanXml(s, 64); console.log('scan', performance.now() - t);
t = performance.now(); XMLValidator.validate(s); console.log('validate', performance.now() - t);
t = performance.now(); p.parse(s); console.log('parse', performance.now() - t);
t = performance.now(); parseXmlText(s); console.log('all', performance.now() - t);
}
