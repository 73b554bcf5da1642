// Scalable-precision processing element (N = 8, K = 4), after Algorithm 3 and
// Fig. 3.13 of V. Peluso's thesis (Politecnico di Torino 2020, section 3.4.3).
// The arithmetic is specified by the golden model flow/finevh/accel/pe.py.
//
// One 5x5 signed multiplier computes one partial product per cycle:
//   mode 0 full  (4 cycles/MAC): IH*WH<<8, IL*WH<<4, IH*WL<<4, IL*WL
//   mode 1 mixed (2 cycles/MAC): IH*Wr<<8, IL*Wr<<4         (Wr = round(W))
//   mode 2 half  (1 cycle/MAC) : A*Wr<<8  (A = IH, or sext(IL) when half_lo)
// High halves are sign-extended to 5 bits, low halves zero-extended. The 16-bit
// bias is added in two cycles: B_L zero-extended, then B_H sign-extended <<8.
//
// Protocol: `ld` (with in_i/in_w) starts a MAC, `ld_bias` (with in_b) a bias
// addition; either is accepted when `ready`. A new command may be given in the
// last cycle of the running one, so a MAC takes exactly 1/2/4 cycles. `clr`
// (only when idle) loads the accumulator with acc_in. `st` stores the output
// stage result (shift by shamt, saturate to 8 (w8) or 4 bits into O_H/O_L).
//
// Zero skipping: when the MAC's effective operands contain a zero, the
// multiplier inputs are isolated by latches and the accumulator clock is gated.
module fvh_pe (
    input  logic        clk,
    input  logic        rst_n,
    input  logic [1:0]  mode,
    input  logic        half_lo,
    input  logic        clr,
    input  logic [31:0] acc_in,
    input  logic        ld,
    input  logic [7:0]  in_i,
    input  logic [7:0]  in_w,
    input  logic        ld_bias,
    input  logic [15:0] in_b,
    output logic        ready,
    output logic [7:0]  i_q,
    output logic [7:0]  w_q,
    output logic [31:0] acc,
    input  logic        st,
    input  logic [4:0]  shamt,
    input  logic        w8,
    input  logic        o_lo,
    output logic [7:0]  o8,
    output logic        o_sat
);
  localparam logic [1:0] FULL = 2'd0, MIXED = 2'd1;

  // ---------------------------------------------------------------- sequencer
  logic       busy, kind_b, skip;
  logic [3:0] wr;
  logic [1:0] ph, last;
  logic [7:0] b_l, b_h;
  assign last  = kind_b ? 2'd1 : (mode == FULL) ? 2'd3 : (mode == MIXED) ? 2'd1 : 2'd0;
  assign ready = ~busy | (ph == last);

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      busy   <= 1'b0;
      kind_b <= 1'b0;
      ph     <= 2'd0;
      i_q    <= '0;
      w_q    <= '0;
      b_l    <= '0;
      b_h    <= '0;
    end else if (ld && ready) begin
      i_q    <= in_i;
      w_q    <= in_w;
      busy   <= 1'b1;
      kind_b <= 1'b0;
      ph     <= 2'd0;
    end else if (ld_bias && ready) begin
      b_l    <= in_b[7:0];
      b_h    <= in_b[15:8];
      busy   <= 1'b1;
      kind_b <= 1'b1;
      ph     <= 2'd0;
    end else if (busy) begin
      if (ph == last) busy <= 1'b0;
      else ph <= ph + 2'd1;
    end
  end

  // ------------------------------------------------------- operand selection
  fvh_pe_round u_rnd (.w(w_q), .wr(wr));

  // zero skipping: a MAC whose operands, as the mode uses them, hold a zero
  logic [3:0] a4;
  assign a4   = half_lo ? i_q[3:0] : i_q[7:4];
  assign skip = ~kind_b & ((mode == FULL)  ? ((i_q == 8'd0) | (w_q == 8'd0))
                         : (mode == MIXED) ? ((i_q == 8'd0) | (wr == 4'd0))
                         : ((a4 == 4'd0) | (wr == 4'd0)));

  logic signed [4:0] a5, b5;
  logic [1:0] sh_sel;  // 0: <<0, 1: <<4, 2: <<8
  logic       is_half;
  assign is_half = (mode != FULL) && (mode != MIXED);
  // activation half: phases 0/2 the signed high half, 1/3 the unsigned low half;
  // half mode with half_lo: the low half holds a 4-bit activation, sign-extended
  assign a5 = (is_half && half_lo) ? {i_q[3], i_q[3:0]}
            : ph[0] ? {1'b0, i_q[3:0]} : {i_q[7], i_q[7:4]};
  // weight: rounded in mixed/half, high (signed) / low (unsigned) half in full
  assign b5 = (mode != FULL) ? {wr[3], wr}
            : ph[1] ? {1'b0, w_q[3:0]} : {w_q[7], w_q[7:4]};
  // radix-point alignment of the partial product (or bias byte)
  assign sh_sel = kind_b ? (ph[0] ? 2'd2 : 2'd0)
                : (ph == 2'd0) ? 2'd2 : (ph == 2'd3) ? 2'd0 : 2'd1;

  // operand isolation latches: transparent only while a non-zero MAC runs
  logic iso_en;
  logic signed [4:0] a_l, b_l5;
  assign iso_en = busy & ~kind_b & ~skip;
  always_latch begin
    if (iso_en) begin
      a_l  = a5;
      b_l5 = b5;
    end
  end

  logic signed [9:0] prod, p;
  assign prod = a_l * b_l5;
  // sel_P: partial product or bias byte (B_L zero-extended, B_H sign-extended)
  assign p = !kind_b ? prod : ph[0] ? {{2{b_h[7]}}, b_h} : {2'b00, b_l};

  logic signed [17:0] addend;
  assign addend = (sh_sel == 2'd2) ? {p, 8'd0}
                : (sh_sel == 2'd1) ? {{4{p[9]}}, p, 4'd0} : {{8{p[9]}}, p};

  // ------------------------------------------------------------- accumulator
  fvh_pe_acc #(.AW(18)) u_acc (
      .clk(clk), .rst_n(rst_n), .en(busy & ~skip), .clr(clr),
      .acc_in(acc_in), .addend(addend), .acc(acc)
  );

  // ------------------------------------------------------------ output stage
  fvh_pe_out u_out (
      .clk(clk), .rst_n(rst_n), .acc(acc), .st(st), .shamt(shamt),
      .w8(w8), .o_lo(o_lo), .o8(o8), .o_sat(o_sat)
  );
endmodule
