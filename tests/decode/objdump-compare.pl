#!/usr/bin/perl
# Compares `scpatch decode` with `objdump -d -z -w --insn-width=16` on the
# same file: instruction boundaries (address, length), branch and
# RIP-relative targets, and the kind (call, jmp, jcc, ret, indirect call and
# jmp, nop, trap) that objdump's mnemonic implies.
#
#   objdump-compare.pl SECADDR OURS OBJDUMP [LO HI]
#
# SECADDR: "name address" per section (readelf -SW); OURS: scpatch decode
# output; OBJDUMP: objdump output; LO/HI: compare only [LO, HI) (hex).
# Prints one summary line:
#   agree=N objdump=N fwait=N symbol=N bad=N rex=N unexplained=N
# and the first unexplained disagreements.  Two differences are understood
# and counted apart, never ignored:
#   fwait  - objdump prints FWAIT (9B) and the x87 instruction after it as
#            one (fstcw = 9B D9 /7); the SDM: they are two instructions, and
#            we decode them as two.  Counted when the split matches exactly.
#   symbol - objdump restarts decoding at every symbol; a linear decoder runs
#            through the data or odd padding before a symbol into it.  Counted
#            when one of our instructions spans a symbol start in that region.
#   bad    - bytes that both call "not an instruction" (objdump "(bad)", we
#            "invalid" at the same address); objdump's (bad) length is
#            arbitrary, ours is 1 byte by contract.
#   rex    - a REX prefix followed by a legacy prefix: the SDM says such a
#            REX is ignored and the whole is one instruction (we decode one);
#            objdump prints the REX on a line of its own.
use strict;
use warnings;

my ($secfile, $oursfile, $theirfile, $lo, $hi) = @ARGV;
$lo = defined $lo ? hex($lo) : 0;
$hi = defined $hi ? hex($hi) : ~0;

my %secaddr;
open(my $s, '<', $secfile) or die "$secfile: $!";
while (<$s>) { my ($n, $a) = split; $secaddr{$n} = hex($a); }

# Per section: list of [addr, len, target, text].
my (%ours, %theirs, %symbols);
open(my $o, '<', $oursfile) or die "$oursfile: $!";
while (<$o>) {
	my @f = split;
	my ($sec, $off) = $f[0] =~ /^(.*)\+0x([0-9a-f]+)$/ or next;
	my $addr = $secaddr{$sec} + hex($off);
	next if $addr < $lo || $addr >= $hi;
	my $t = @f >= 4 ? hex($f[3]) : -1;
	push @{$ours{$sec}}, [$addr, $f[1], $t, $f[2]];
}
my ($sec, $fwait) = ('', 0);
open(my $t, '<', $theirfile) or die "$theirfile: $!";
while (<$t>) {
	if (/^Disassembly of section (.*):$/) { $sec = $1; next; }
	if (/^([0-9a-f]+) <.*>:$/) { $symbols{$sec}{hex($1)} = 1; next; }
	next unless /^ *([0-9a-f]+):\t([^\t]*)\t?(.*)$/;
	my ($addr, $ins) = (hex($1), $3);
	next if $addr < $lo || $addr >= $hi;
	my @b = split(' ', $2);
	my $tg = -1;
	if ($ins =~ /%[re]ip/ && $ins =~ /# (?:0x)?([0-9a-f]+)/) {
		$tg = hex($1);
	} elsif ($ins =~ /\b(?:j[a-z]+|call|loop[a-z]*|xbegin)\s+([0-9a-f]+)(?: <.*>)?$/) {
		$tg = hex($1);
	}
	if ($b[0] eq '9b' && @b > 1 && $ins =~ /^f/) {
		push @{$theirs{$sec}}, [$addr, 1, -1, 'fwait', 1];
		push @{$theirs{$sec}}, [$addr + 1, @b - 1, $tg, $ins, 1];
		next;
	}
	push @{$theirs{$sec}}, [$addr, scalar(@b), $tg, $ins, 0];
}

# The kind objdump's mnemonic implies, in `scpatch decode` names.
my $prefix_words = qr/^(?:bnd|notrack|data16|addr32|[c-gs]s|rex(?:\.[WRXB]+)?|lock|rep[a-z]*|xacquire|xrelease)$/;
sub objdump_kind {
	my ($ins) = @_;
	my @w = split(' ', $ins);
	shift @w while @w && $w[0] =~ $prefix_words;
	return 'other' unless @w;
	my ($m, $ops) = ($w[0], $w[1] // '');
	return 'invalid' if $m eq '(bad)';
	return $ops =~ /^\*/ ? 'call-indirect' : 'call' if $m =~ /^callq?$/;
	return 'call-indirect' if $m =~ /^lcallq?$/;
	return $ops =~ /^\*/ ? 'jmp-indirect' : 'jmp' if $m =~ /^jmpq?$/;
	return 'jmp-indirect' if $m =~ /^ljmpq?$/;
	return 'jcc' if $m =~ /^(j[a-z]+|loop[a-z]*|xbegin)$/;
	return 'ret' if $m =~ /^(retq?|lretq?|iret[dqw]?)$/;
	return 'nop' if $m =~ /^nop[wl]?$/ || ($m eq 'xchg' && $ops eq '%ax,%ax');
	return 'trap' if $m =~ /^(int3|ud2|ud1[a-z]*|ud0[a-z]*|hlt|icebp|int1)$/;
	return 'other';
}

my ($agree, $total, $symbol, $bad, $rex, $unexplained) = (0, 0, 0, 0, 0, 0);
my @report;
for my $sec (sort keys %theirs) {
	my $O = $ours{$sec} || [];
	my $T = $theirs{$sec};
	my ($i, $j) = (0, 0);
	$total += @$T;
	while ($j < @$T) {
		if ($i < @$O && $O->[$i][0] == $T->[$j][0] &&
		    $O->[$i][1] == $T->[$j][1]) {
			my $kind = $T->[$j][3] eq 'fwait' ? 'other' :
				   objdump_kind($T->[$j][3]);
			if ($O->[$i][2] == $T->[$j][2] && $O->[$i][3] eq $kind) {
				$agree++;
				$fwait++ if $T->[$j][3] eq 'fwait';
			} elsif ($O->[$i][2] == $T->[$j][2]) {
				$unexplained++;
				push @report, sprintf("%s 0x%x: kind %s, objdump says %s (%s)",
					$sec, $T->[$j][0], $O->[$i][3], $kind, $T->[$j][3]);
			} else {
				$unexplained++;
				push @report, sprintf("%s 0x%x: target 0x%x, objdump 0x%x (%s)",
					$sec, $T->[$j][0], $O->[$i][2], $T->[$j][2], $T->[$j][3]);
			}
			$i++; $j++;
			next;
		}
		# A region where the boundaries differ: consume both streams
		# until they end at the same address.
		my ($start, @ro, @rt);
		$i++ while $i < @$O && $O->[$i][0] + $O->[$i][1] <= $T->[$j][0];
		$start = $T->[$j][0];
		my ($oe, $te) = ($start, $start);
		do {
			if ($i < @$O && ($oe < $te || $oe == $start)) {
				push @ro, $O->[$i]; $oe = $O->[$i][0] + $O->[$i][1]; $i++;
			} elsif ($j < @$T) {
				push @rt, $T->[$j]; $te = $T->[$j][0] + $T->[$j][1]; $j++;
			} else {
				last;
			}
			push(@rt, $T->[$j]), $te = $T->[$j][0] + $T->[$j][1], $j++
				while $te < $oe && $j < @$T;
		} while ($oe != $te && ($i < @$O || $oe > $te));
		my $spans = 0;
		for my $x (@ro) {
			for my $a ($x->[0] + 1 .. $x->[0] + $x->[1] - 1) {
				$spans = 1 if $symbols{$sec}{$a};
			}
		}
		if ($spans) {
			$symbol += @rt;
			next;
		}
		my %invalid = map { $_->[3] eq 'invalid' ? ($_->[0] => 1) : () } @ro;
		if (grep { $_->[3] =~ /^\(bad\)/ && $invalid{$_->[0]} } @rt) {
			$bad += @rt;
			next;
		}
		if (@ro == 1 && @rt == 2 && $rt[0][3] =~ /^rex(\.[WRXB]+)?$/ &&
		    $rt[0][1] == 1 && $ro[0][0] == $rt[0][0] &&
		    $ro[0][1] == 1 + $rt[1][1]) {
			$rex += @rt;
			next;
		}
		$unexplained += @rt;
		push @report, sprintf("%s 0x%x: ours %s | objdump %s", $sec, $start,
			join(', ', map { sprintf("0x%x/%d", $_->[0], $_->[1]) } @ro),
			join(', ', map { sprintf("0x%x/%d %s", $_->[0], $_->[1], $_->[3]) } @rt));
	}
}
print "agree=$agree objdump=$total fwait=$fwait symbol=$symbol bad=$bad rex=$rex unexplained=$unexplained\n";
print "  $_\n" for @report[0 .. ($#report < 19 ? $#report : 19)];
exit($unexplained ? 1 : 0);
