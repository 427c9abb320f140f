/* Generated from schemas/dossier.v1.schema.json by scripts/gen-types.ts. Do not edit: run `npm run gen:types`. */

export type SystemId = string;
/**
 * Agency identifier (mã định danh điện tử, Decision 20/2020/QĐ-TTg): 1-35 characters, dot-separated groups of digits and capital letters.
 */
export type AgencyCode = string;
export type Text500 = string;
/**
 * province and commune since 1 July 2025; district only on dossiers received before then.
 */
export type Level = 'province' | 'commune' | 'district';
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
   * National dossier code <agency identifier>-<yyMMdd>-<sequence of 4-7 digits> (MaHoSo; Decree 118/2025 art. 28).
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
  agency: Agency;
  receivingAgency?: Agency1;
  /**
   * The other agencies of a same-level liên thông (art. 20(2)), each with its own due date; merged by agency.code.
   *
   * @maxItems 100
   */
  participants?: {
    agency: Agency2;
    task?: string;
    /**
     * Absent: in parallel (online dossiers); present: the sequence for paper dossiers.
     */
    order?: number;
    dueAt?: DateTime;
    finishedAt?: DateTime;
  }[];
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
    /**
     * DinhDanhCHS: identification numbers (Decree 118 art. 17(1)(a)).
     *
     * @maxItems 20
     */
    identifiers?: {
      [k: string]: unknown;
    }[];
    /**
     * TaiKhoanDuocXacThucVoiVNeID: the desk checked the applicant's VNeID account.
     */
    vneidVerified?: boolean;
    /**
     * MaDoiTuong: the applicant's DVCQG account id.
     */
    techId?: string;
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
   * HinhThuc: direct 0, postal 1; electronic = the result returned on DVCQG (art. 22(3)).
   */
  returnMethod?: 'direct' | 'postal' | 'electronic';
  /**
   * RFC 3339 with an explicit offset.
   */
  submittedAt?: string;
  /**
   * RFC 3339 with an explicit offset.
   */
  receivedAt: string;
  /**
   * RFC 3339 with an explicit offset.
   */
  acceptedAt?: string;
  /**
   * NgayHenTra; null = no deadline
   */
  dueAt?: DateTime | null;
  /**
   * Owned by the hub: whose promise dueAt is, the desk's (source) or computed by the hub (hub).
   */
  dueAtSource?: 'source' | 'hub';
  /**
   * Owned by the hub: true when the hub computed dueAt across a year with no holiday file.
   */
  dueAtProvisional?: boolean;
  /**
   * Owned by the hub: the due date the on-time report judges against (after at most one extension).
   */
  judgedDueAt?: DateTime | null;
  /**
   * Owned by the hub: one entry per extension (gia hạn, art. 19(6)).
   *
   * @maxItems 100
   */
  dueAtExtensions?: {
    at: DateTime;
    previousDueAt: DateTime;
    newDueAt: DateTime;
    reason?: string;
  }[];
  /**
   * NgayKetThucXuLy
   */
  finishedAt?: DateTime | null;
  /**
   * NgayTra
   */
  returnedAt?: DateTime | null;
  /**
   * How processing ended; absent on status 9 or 10 means approved (NgayTuChoi when refused).
   */
  outcome?: 'approved' | 'refused' | 'unresolved';
  status: Status;
  /**
   * TaiLieuNop
   *
   * @maxItems 500
   */
  documents?: Document[];
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
    /**
     * phí, lệ phí, thuế, other financial obligations (LoaiPhiLePhi).
     */
    kind?: 'fee' | 'charge' | 'tax' | 'levy';
    /**
     * HinhThucThu
     */
    method?: 'direct' | 'transfer' | 'online' | 'other';
    /**
     * Paid online (DuocThanhToanTrucTuyen); implies paid.
     */
    onlinePaid?: boolean;
    paidAt?: DateTime;
    transactionRef?: string;
  }[];
  /**
   * DanhSachHoSoBoSung
   *
   * @maxItems 100
   */
  supplements?: {
    requestedAt: DateTime;
    reason?: string;
    requestedBy?: Text500;
    resubmittedAt?: DateTime;
    receivedBy?: Text500;
    /**
     * @maxItems 500
     */
    documents?: Document[];
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
    /**
     * The result-type code of the procedure in the national TTHC database (MaGiayToKetQua).
     */
    resultCode?: string;
    signed?: boolean;
    electronic?: boolean;
  }[];
  /**
   * Processing history (CapNhatTienDoHoSoMC items), in time order. A change carries at most 1,000 steps; the served document keeps the newest 1,000.
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
    /**
     * RFC 3339 with an explicit offset.
     */
    startedAt?: string;
    /**
     * RFC 3339 with an explicit offset.
     */
    dueAt?: string;
    /**
     * @deprecated
     * RFC 3339 with an explicit offset.
     */
    deadlineAt?: string;
  }[];
  /**
   * Owned by the hub: where the dossier came from, who holds it, its liên thông route.
   */
  routing?: {
    origin: SystemId;
    holder: SystemId;
    /**
     * The system serving receivingAgency at revision 1, to which the result comes back.
     */
    returnTo?: string;
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
/**
 * The competent agency now responsible; the lead agency of a same-level liên thông (DonViXuLy).
 */
export interface Agency {
  code: AgencyCode;
  name?: Text500;
  level: Level;
  /**
   * Commune level only: xã, phường or đặc khu.
   */
  kind?: 'xa' | 'phuong' | 'dac_khu';
}
/**
 * The one-stop desk that received the dossier and returns the result (Decree 118/2025 art. 14, 20); set at revision 1 and fixed.
 */
export interface Agency1 {
  code: AgencyCode;
  name?: Text500;
  level: Level;
  /**
   * Commune level only: xã, phường or đặc khu.
   */
  kind?: 'xa' | 'phuong' | 'dac_khu';
}
export interface Agency2 {
  code: AgencyCode;
  name?: Text500;
  level: Level;
  /**
   * Commune level only: xã, phường or đặc khu.
   */
  kind?: 'xa' | 'phuong' | 'dac_khu';
}
export interface Document {
  name: Text500;
  componentCode?: string;
  url?: string;
  sha256?: string;
  mediaType?: string;
  size?: number;
  /**
   * The desk digitised the paper and signed the copy (art. 17(1)(c)).
   */
  digitised?: boolean;
  /**
   * Taken from data or results already held (art. 5(1)(i)).
   */
  reused?: boolean;
  /**
   * Taken from the applicant's data store on DVCQG.
   */
  fromNationalStore?: boolean;
  /**
   * The code of the earlier result this document stands in for.
   */
  replacesResultCode?: string;
}
