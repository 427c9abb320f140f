/* Generated from schemas/dossier.v1.schema.json by scripts/gen-types.ts. Do not edit: run `npm run gen:types`. */

export type SystemId = string;
/**
 * Agency identifier (mã định danh, QCVN 102:2016/BTTTT).
 */
export type AgencyCode = string;
export type Text500 = string;
export type Level = 'province' | 'district' | 'commune';
/**
 * RFC 3339 with an explicit offset.
 */
export type DateTime = string;
/**
 * TrangThaiHoSo: 1 submitted, 2 accepted, 3 refused, 4 processing, 5 supplement_requested, 6 payment_requested, 7 withdrawn, 8 suspended, 9 finished, 10 returned.
 */
export type Status = number;

/**
 * The canonical dossier (hồ sơ thủ tục hành chính), v1. Names are English camelCase; descriptions give the DVCQG field each maps to.
 */
export interface Dossier {
  /**
   * National dossier code <agencyCode>-<yyMMdd>-<NNNN> (MaHoSo).
   */
  code: string;
  /**
   * Codes the source systems use for this dossier (local numbering); unique per system.
   *
   * @maxItems 50
   */
  altCodes?: {
    system: SystemId;
    code: string;
  }[];
  /**
   * The desk's receipt number (SoBienNhan).
   */
  receiptNumber?: string;
  procedure: {
    /**
     * National procedure code, e.g. 1.004227 (MaTTHC).
     */
    code: string;
    /**
     * TenTTHC
     */
    name?: string;
    /**
     * MaLinhVuc
     */
    sectorCode?: string;
    /**
     * TenLinhVuc
     */
    sectorName?: string;
  };
  /**
   * The agency now responsible (DonViXuLy).
   */
  agency: {
    code: AgencyCode;
    name?: Text500;
    level: Level;
  };
  applicant: {
    /**
     * LoaiDoiTuong 1-4
     */
    type: 'citizen' | 'business' | 'agency' | 'other';
    /**
     * ChuHoSo
     */
    name: string;
    /**
     * SoGiayToChuHoSo; digits only
     */
    idNumber?: string;
    /**
     * SoDienThoai; digits only, a leading + kept
     */
    phone?: string;
    /**
     * Email
     */
    email?: string;
    address?: Text500;
  };
  /**
   * TrichYeuHoSo
   */
  summary?: string;
  /**
   * KenhThucHien 1/2/3
   */
  channel: 'in_person' | 'online' | 'postal';
  /**
   * HinhThuc 0/1
   */
  returnMethod?: 'direct' | 'postal';
  /**
   * NgayTiepNhan
   */
  receivedAt: string;
  /**
   * NgayHenTra; null = no deadline
   */
  dueAt?: DateTime | null;
  /**
   * Whose promise dueAt is: the desk's (source) or computed by the hub (hub).
   */
  dueAtSource?: 'source' | 'hub';
  /**
   * NgayKetThucXuLy
   */
  finishedAt?: DateTime | null;
  /**
   * NgayTra
   */
  returnedAt?: DateTime | null;
  status: Status;
  /**
   * TaiLieuNop
   *
   * @maxItems 500
   */
  documents?: {
    name: Text500;
    componentCode?: string;
    url?: string;
    sha256?: string;
    mediaType?: string;
    size?: number;
  }[];
  /**
   * DanhSachLePhi
   *
   * @maxItems 100
   */
  fees?: {
    code?: string;
    name?: Text500;
    /**
     * Integer number of đồng.
     */
    amount: number;
    paid?: boolean;
  }[];
  /**
   * DanhSachHoSoBoSung
   *
   * @maxItems 100
   */
  supplements?: {
    requestedAt: DateTime;
    reason?: string;
    resubmittedAt?: DateTime;
    previousDueAt?: DateTime;
    newDueAt?: DateTime;
  }[];
  /**
   * DanhSachGiayToKetQua
   *
   * @maxItems 100
   */
  results?: {
    name: Text500;
    code?: string;
    url?: string;
  }[];
  /**
   * Processing history (CapNhatTienDoHoSoMC items), in time order.
   *
   * @maxItems 1000
   */
  steps?: {
    at: DateTime;
    status: Status;
    actor?: Text500;
    title?: Text500;
    department?: Text500;
    note?: string;
    deadlineAt?: DateTime;
  }[];
  /**
   * Owned by the hub: where the dossier came from, who holds it, its liên thông route.
   */
  routing?: {
    origin: SystemId;
    holder: SystemId;
    transfers: {
      at: DateTime;
      fromAgency: AgencyCode;
      toAgency: AgencyCode;
      reason?: string;
    }[];
  };
  /**
   * Source-specific facts with no canonical home, namespaced by adapter.
   */
  extensions?: {
    [k: string]: {
      [k: string]: unknown;
    };
  };
  /**
   * Starts at 1; +1 for every accepted change.
   */
  revision: number;
  /**
   * RFC 3339 with an explicit offset.
   */
  updatedAt: string;
}
