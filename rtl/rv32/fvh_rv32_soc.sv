// Simulation top of fvh_rv32: the core with a 16 KB instruction memory at
// 0x0000_0000 and a 16 KB data memory at 0x0001_0000 (both synchronous, loaded
// from hex files given as +imem=FILE / +dmem=FILE plusargs), and a `tohost`
// port at 0x0002_0000: every word stored there is shown on tohost_data with a
// one-cycle tohost_valid strobe.
module fvh_rv32_soc (
    input  logic        clk,
    input  logic        rst_n,
    output logic        halted,
    output logic        trap,
    output logic        tohost_valid,
    output logic [31:0] tohost_data
);
  localparam int WORDS = 4096;
  logic [31:0] imem[WORDS];
  logic [31:0] dmem[WORDS];

  logic [31:0] imem_addr, imem_rdata, dmem_addr, dmem_wdata, dmem_rdata;
  logic        dmem_re, dmem_we;
  logic [3:0]  dmem_be;

  fvh_rv32 u_core (
      .clk(clk), .rst_n(rst_n), .imem_addr(imem_addr), .imem_rdata(imem_rdata),
      .dmem_addr(dmem_addr), .dmem_re(dmem_re), .dmem_we(dmem_we), .dmem_be(dmem_be),
      .dmem_wdata(dmem_wdata), .dmem_rdata(dmem_rdata), .halted(halted), .trap(trap)
  );

  string fn;
  initial begin
    for (int i = 0; i < WORDS; i++) begin
      imem[i] = 32'h0000_0073;  // ecall: stop on a run-away fetch
      dmem[i] = 32'd0;
    end
    if ($value$plusargs("imem=%s", fn)) $readmemh(fn, imem);
    if ($value$plusargs("dmem=%s", fn)) $readmemh(fn, dmem);
  end

  logic unused_ia;
  assign unused_ia = ^{imem_addr[31:14], imem_addr[1:0]};
  logic        in_d, is_host;
  logic [11:0] di;
  assign in_d    = dmem_addr[31:16] == 16'h0001 && dmem_addr[15:14] == 2'b00;
  assign is_host = dmem_addr == 32'h0002_0000;
  assign di      = dmem_addr[13:2];

  always_ff @(posedge clk) begin
    imem_rdata <= imem[imem_addr[13:2]];
    if (dmem_re) dmem_rdata <= in_d ? dmem[di] : 32'd0;
    if (dmem_we && in_d) begin
      for (int k = 0; k < 4; k++) begin
        if (dmem_be[k]) dmem[di][k*8+:8] <= dmem_wdata[k*8+:8];
      end
    end
    tohost_valid <= dmem_we && is_host;
    if (dmem_we && is_host) tohost_data <= dmem_wdata;
  end
endmodule
