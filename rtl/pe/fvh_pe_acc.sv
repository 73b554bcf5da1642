// 32-bit saturating accumulator of the PE, clocked by a gated clock.
// acc <= clr ? acc_in : sat32(acc + addend). The clock gate opens when `en`
// (zero-skipping: the accumulator is not clocked while a zero operand is held).
module fvh_pe_acc #(
    parameter int AW = 18  // addend width (signed)
) (
    input  logic                 clk,
    input  logic                 rst_n,
    input  logic                 en,
    input  logic                 clr,
    input  logic signed [31:0]   acc_in,
    input  logic signed [AW-1:0] addend,
    output logic signed [31:0]   acc
);
  logic gclk;
  fvh_icg u_icg (.clk(clk), .en(en | clr), .gclk(gclk));

  logic signed [32:0] sum;
  logic signed [31:0] sat;
  assign sum = {acc[31], acc} + {{(33 - AW) {addend[AW-1]}}, addend};
  // overflow when the two top bits of the 33-bit sum differ
  assign sat = (sum[32] != sum[31]) ? (sum[32] ? 32'sh8000_0000 : 32'sh7fff_ffff) : sum[31:0];

  always_ff @(posedge gclk or negedge rst_n) begin
    if (!rst_n) acc <= '0;
    else if (clr) acc <= acc_in;
    else acc <= sat;
  end
endmodule
