// The WSDL 1.1 (document/literal) the department's client was generated against (legacy/xay-dung.md).
// Element order is the order of the sequences: .NET's XmlSerializer reads and writes them in that order,
// so envelope.ts writes HoSo in exactly this order. Dates and numbers are strings: the department writes
// `dd/MM/yyyy HH:mm:ss`, decimal commas and thousands dots, none of which are XSD lexical forms.
import { NS, OPERATIONS, soapAction, STATUS_BY_CODE, CHANNEL_BY_CODE, APPLICANT_BY_CODE } from './codes.js';
import { escapeXml } from '../kit/xml.js';

type Field = [name: string, type: string, min?: 0 | 1, max?: 'unbounded'];

const seq = (fields: Field[]): string =>
  `<s:sequence>${fields
    .map(([name, type, min = 1, max]) => `<s:element name="${name}" type="${type}" minOccurs="${min}"${max ? ` maxOccurs="${max}"` : ''}/>`)
    .join('')}</s:sequence>`;
const complex = (name: string, fields: Field[]): string => `<s:complexType name="${name}">${seq(fields)}</s:complexType>`;
const enumeration = (name: string, values: string[]): string =>
  `<s:simpleType name="${name}"><s:restriction base="s:string">${values.map((v) => `<s:enumeration value="${v}"/>`).join('')}</s:restriction></s:simpleType>`;
const element = (name: string, fields: Field[]): string => `<s:element name="${name}"><s:complexType>${seq(fields)}</s:complexType></s:element>`;

const STR = 's:string';

const TYPES = [
  enumeration('TrangThai', Object.keys(STATUS_BY_CODE)),
  enumeration('KenhNop', Object.keys(CHANNEL_BY_CODE)),
  enumeration('LoaiDoiTuong', Object.keys(APPLICANT_BY_CODE)),
  complex('NguoiNop', [['HoTen', STR], ['SoGiayTo', STR, 0], ['DienThoai', STR, 0], ['Email', STR, 0], ['DiaChi', STR, 0], ['LoaiDoiTuong', 'tns:LoaiDoiTuong', 0]]),
  complex('CongTrinh', [['LoaiCongTrinh', STR, 0], ['DiaDiem', STR, 0], ['DienTichSan', STR, 0], ['SoTang', 's:int', 0]]),
  complex('Tep', [['TenTep', STR], ['DuongDan', STR, 0], ['MaThanhPhan', STR, 0]]),
  complex('ArrayOfTep', [['Tep', 'tns:Tep', 0, 'unbounded']]),
  complex('Phi', [['MaPhi', STR, 0], ['TenPhi', STR, 0], ['SoTien', STR]]),
  complex('ArrayOfPhi', [['Phi', 'tns:Phi', 0, 'unbounded']]),
  complex('Buoc', [['ThoiGian', STR], ['NguoiXuLy', STR, 0], ['PhongBan', STR, 0], ['TrangThai', 'tns:TrangThai'], ['NoiDung', STR, 0]]),
  complex('ArrayOfBuoc', [['Buoc', 'tns:Buoc', 0, 'unbounded']]),
  complex('HoSo', [
    ['MaHoSo', STR], ['MaHoSoQuocGia', STR, 0], ['MaThuTuc', STR], ['TenThuTuc', STR, 0],
    ['MaDonVi', STR], ['TenDonVi', STR, 0], ['NgayNhan', STR], ['NgayHenTra', STR, 0],
    ['TrangThai', 'tns:TrangThai'], ['KenhNop', 'tns:KenhNop'], ['NguoiNop', 'tns:NguoiNop'], ['TrichYeu', STR, 0],
    ['CongTrinh', 'tns:CongTrinh', 0], ['TepDinhKem', 'tns:ArrayOfTep', 0], ['PhiLePhi', 'tns:ArrayOfPhi', 0],
    ['QuaTrinhXuLy', 'tns:ArrayOfBuoc', 0],
  ]),
  complex('KetQua', [['MaLoi', STR], ['MoTa', STR, 0], ['MaHoSoQuocGia', STR, 0], ['MaBienNhan', STR, 0]]),
  complex('KetQuaTraCuu', [['MaLoi', STR], ['MoTa', STR, 0], ['HoSo', 'tns:HoSo', 0]]),
  element('TiepNhanHoSo', [['HoSo', 'tns:HoSo']]),
  element('TiepNhanHoSoResponse', [['TiepNhanHoSoResult', 'tns:KetQua']]),
  element('CapNhatTrangThai', [
    ['MaHoSo', STR], ['TrangThai', 'tns:TrangThai'], ['ThoiGian', STR],
    ['NguoiXuLy', STR, 0], ['NoiDung', STR, 0], ['NgayHenTraMoi', STR, 0],
  ]),
  element('CapNhatTrangThaiResponse', [['CapNhatTrangThaiResult', 'tns:KetQua']]),
  element('TraCuuHoSo', [['MaHoSo', STR]]),
  element('TraCuuHoSoResponse', [['TraCuuHoSoResult', 'tns:KetQuaTraCuu']]),
].join('\n      ');

const DOCS: Record<string, string> = {
  TiepNhanHoSo: 'Tiếp nhận hồ sơ mới hoặc cập nhật hồ sơ đã gửi',
  CapNhatTrangThai: 'Cập nhật trạng thái xử lý hồ sơ',
  TraCuuHoSo: 'Tra cứu hồ sơ theo mã của Sở hoặc mã hồ sơ quốc gia',
};

function perOperation(render: (op: string) => string): string {
  return OPERATIONS.map(render).join('\n  ');
}

/** The WSDL with `soap:address` = endpointUrl (the hub's public SOAP address of the calling system). */
export function describe(endpointUrl: string): { contentType: string; body: string } {
  const body = `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:s="http://www.w3.org/2001/XMLSchema" xmlns:tns="${NS}" targetNamespace="${NS}">
  <wsdl:types>
    <s:schema elementFormDefault="qualified" targetNamespace="${NS}">
      ${TYPES}
    </s:schema>
  </wsdl:types>
  ${perOperation((op) => `<wsdl:message name="${op}SoapIn"><wsdl:part name="parameters" element="tns:${op}"/></wsdl:message>
  <wsdl:message name="${op}SoapOut"><wsdl:part name="parameters" element="tns:${op}Response"/></wsdl:message>`)}
  <wsdl:portType name="MotCuaXayDungSoap">
  ${perOperation((op) => `<wsdl:operation name="${op}"><wsdl:documentation>${escapeXml(DOCS[op] ?? op)}</wsdl:documentation><wsdl:input message="tns:${op}SoapIn"/><wsdl:output message="tns:${op}SoapOut"/></wsdl:operation>`)}
  </wsdl:portType>
  <wsdl:binding name="MotCuaXayDungSoap" type="tns:MotCuaXayDungSoap">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
  ${perOperation((op) => `<wsdl:operation name="${op}"><soap:operation soapAction="${soapAction(op)}" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>`)}
  </wsdl:binding>
  <wsdl:service name="MotCuaXayDung">
    <wsdl:port name="MotCuaXayDungSoap" binding="tns:MotCuaXayDungSoap">
      <soap:address location="${escapeXml(endpointUrl)}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
  return { contentType: 'text/xml; charset=utf-8', body };
}
