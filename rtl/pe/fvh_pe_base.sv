// Baseline fixed-precision PE for the area comparison of thesis section 3.4.3:
// a plain 4x4 PE without rounding and sign-extension logic, keeping only the
// interleaved read-in/write-out scheme. Operand bytes hold two signed nibbles;
// `nib_lo` picks the low ones (else the high ones). One cycle per MAC:
// acc += I_n*W_n << 8 (aligned to the 16-bit bias like the half mode of fvh_pe).
// Bias, 32-bit saturating accumulator, output stage, zero skipping and the
// command protocol are those of fvh_pe.
module fvh_pe_base (
    input  logic        clk,
    input  logic        rst_n,
    input  logic        nib_lo,
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
  logic busy, kind_b, skip, ph;
  logic [7:0] b_l, b_h;
  assign ready = ~busy | ~kind_b | ph;


  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      busy   <= 1'b0;
      kind_b <= 1'b0;
      ph     <= 1'b0;
      i_q    <= '0;
      w_q    <= '0;
      b_l    <= '0;
      b_h    <= '0;
    end else if (ld && ready) begin
      i_q    <= in_i;
      w_q    <= in_w;
      busy   <= 1'b1;
      kind_b <= 1'b0;
      ph     <= 1'b0;
    end else if (ld_bias && ready) begin
      b_l    <= in_b[7:0];
      b_h    <= in_b[15:8];
      busy   <= 1'b1;
      kind_b <= 1'b1;
      ph     <= 1'b0;
    end else if (busy) begin
      if (!kind_b || ph) busy <= 1'b0;
      else ph <= 1'b1;
    end
  end

  logic signed [3:0] a4, b4, a_l, b_l4;
  assign a4 = nib_lo ? i_q[3:0] : i_q[7:4];
  assign b4 = nib_lo ? w_q[3:0] : w_q[7:4];
  // zero skipping: a MAC with a zero operand nibble
  assign skip = ~kind_b & ((a4 == 4'sd0) | (b4 == 4'sd0));

  logic iso_en;
  assign iso_en = busy & ~kind_b & ~skip;
  always_latch begin
    if (iso_en) begin
      a_l  = a4;
      b_l4 = b4;
    end
  end

  logic signed [7:0] prod;
  assign prod = a_l * b_l4;

  logic signed [17:0] addend;
  assign addend = !kind_b ? {{2{prod[7]}}, prod, 8'd0}
                : ph ? {{2{b_h[7]}}, b_h, 8'd0} : {10'd0, b_l};

  fvh_pe_acc #(.AW(18)) u_acc (
      .clk(clk), .rst_n(rst_n), .en(busy & ~skip), .clr(clr),
      .acc_in(acc_in), .addend(addend), .acc(acc)
  );

  fvh_pe_out u_out (
      .clk(clk), .rst_n(rst_n), .acc(acc), .st(st), .shamt(shamt),
      .w8(w8), .o_lo(o_lo), .o8(o8), .o_sat(o_sat)
  );
endmodule
