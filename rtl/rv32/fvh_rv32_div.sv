// Iterative radix-2 divider of fvh_rv32 (DIV, DIVU, REM, REMU): 32 cycles on the
// operand magnitudes, signs fixed at the end. Division by zero and the signed
// overflow follow the RISC-V M specification (q = -1, r = a; q = a, r = 0).
module fvh_rv32_div (
    input  logic        clk,
    input  logic        rst_n,
    input  logic        start,     // one cycle, when idle
    input  logic [1:0]  op,        // funct3[1:0]: 0 DIV, 1 DIVU, 2 REM, 3 REMU
    input  logic [31:0] a,
    input  logic [31:0] b,
    output logic        busy,
    output logic        done,      // result valid (one cycle after the last step)
    output logic [31:0] result
);
  logic [5:0]  cnt;
  logic [31:0] rem, quo, dvs;
  logic        neg_q, neg_r, want_rem, by_zero;
  logic [31:0] a_in;
  logic        signed_op;
  logic [32:0] rem_sh, diff;

  assign signed_op = ~op[0];
  assign rem_sh    = {rem, quo[31]};
  assign diff      = rem_sh - {1'b0, dvs};

  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      cnt <= '0; rem <= '0; quo <= '0; dvs <= '0; busy <= 1'b0; done <= 1'b0;
      neg_q <= 1'b0; neg_r <= 1'b0; want_rem <= 1'b0; by_zero <= 1'b0; a_in <= '0;
    end else if (start && !busy) begin
      busy     <= 1'b1;
      done     <= 1'b0;
      cnt      <= 6'd32;
      rem      <= '0;
      quo      <= (signed_op && a[31]) ? -a : a;
      dvs      <= (signed_op && b[31]) ? -b : b;
      neg_q    <= signed_op & (a[31] ^ b[31]);
      neg_r    <= signed_op & a[31];
      want_rem <= op[1];
      by_zero  <= (b == 32'd0);
      a_in     <= a;
    end else if (busy) begin
      if (!diff[32]) begin
        rem <= diff[31:0];
        quo <= {quo[30:0], 1'b1};
      end else begin
        rem <= rem_sh[31:0];
        quo <= {quo[30:0], 1'b0};
      end
      cnt <= cnt - 6'd1;
      if (cnt == 6'd1) begin
        busy <= 1'b0;
        done <= 1'b1;
      end
    end else begin
      done <= 1'b0;
    end
  end

  always_comb begin
    if (by_zero) result = want_rem ? a_in : 32'hffff_ffff;
    else if (want_rem) result = neg_r ? -rem : rem;
    else result = neg_q ? -quo : quo;
  end
endmodule
